/**
 * The command line of kernel/python/duet_kernel.py, the kernel entry point every
 * sandbox mode shares.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { KernelLaunchSpec, SandboxMode } from './types.ts';

/** kernel/python: duet_kernel.py and the guard it loads. Never the workdir. */
export const KERNEL_PYTHON_DIR = fileURLToPath(new URL('../../python', import.meta.url));

/** Path of the entry point. */
export const DUET_KERNEL_SCRIPT = join(KERNEL_PYTHON_DIR, 'duet_kernel.py');

/** Knobs of duet_kernel.py that exist for testing the layers one at a time. */
export interface KernelOptions {
  /** The Python guard; off only to show the operating-system layers hold on their own. */
  guard?: boolean;
  /** Which seccomp implementation: python3-seccomp, or Duet's own BPF program. */
  seccomp?: 'auto' | 'libseccomp' | 'bpf';
}

/**
 * Arguments after the interpreter. `-I` (isolated mode) keeps PYTHON* variables,
 * the user site and the current directory out of sys.path.
 */
export function duetKernelArgs(spec: KernelLaunchSpec, mode: SandboxMode, tmpDir: string, expectParent?: number, options: KernelOptions = {}): string[] {
  const limits = {
    memoryBytes: spec.limits.memoryBytes,
    cpuSeconds: spec.limits.cpuSeconds,
    fileSizeBytes: spec.limits.fileSizeBytes,
    openFiles: spec.limits.openFiles,
  };
  return [
    '-I',
    DUET_KERNEL_SCRIPT,
    '--connection-file',
    spec.connectionFile,
    '--workdir',
    spec.workdir,
    '--mode',
    mode,
    '--tmpdir',
    tmpDir,
    '--limits',
    JSON.stringify(limits),
    ...(expectParent !== undefined ? ['--expect-parent', String(expectParent)] : []),
    ...(options.guard === false ? ['--guard', 'off'] : []),
    ...(options.seccomp && options.seccomp !== 'auto' ? ['--seccomp', options.seccomp] : []),
  ];
}
