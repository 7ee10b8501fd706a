/**
 * Landlock and none: duet_kernel.py confines itself (Landlock for the
 * filesystem and TCP, seccomp, rlimits, the guard). No user namespaces needed,
 * so this works where bubblewrap cannot run (Ubuntu 24.04's AppArmor default,
 * unprivileged containers, many CI runners).
 */
import { duetKernelArgs, type KernelOptions } from './duet-kernel.ts';
import { kernelEnv } from './env.ts';
import type { KernelLauncher, KernelLaunchSpec, LaunchCommand } from './types.ts';

/**
 * `landlock`: the full in-process sandbox. `none`: seccomp where the platform has
 * it, rlimits and the Python guard, but no filesystem or network confinement by
 * the operating system.
 */
export function inProcessLauncher(mode: 'landlock' | 'none', options: KernelOptions = {}): KernelLauncher {
  return {
    mode,
    transport: 'ipc',
    command(spec: KernelLaunchSpec): LaunchCommand {
      return {
        command: spec.python,
        // The kernel checks it is still this process's child once its death signal is armed.
        args: duetKernelArgs(spec, mode, spec.tmpDir, process.pid, options),
        env: kernelEnv(spec),
        cwd: spec.workdir,
        writable: [spec.workdir, spec.tmpDir],
      };
    },
  };
}
