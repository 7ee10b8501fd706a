/**
 * macOS: sandbox-exec with a deny-by-default profile. Apple marks sandbox-exec
 * deprecated and it cannot be exercised on Linux, so this is kept small: no
 * network except the kernel's own Unix sockets, no process creation beyond the
 * interpreter itself, reads of system and interpreter paths, writes only to the
 * workdir and runtime directory. There is no seccomp and no death signal on
 * macOS: the profile is the only OS layer.
 */
import { KERNEL_PYTHON_DIR, duetKernelArgs } from './duet-kernel.ts';
import { kernelEnv } from './env.ts';
import { pythonLayout, type PythonLayout } from './python-layout.ts';
import type { KernelLauncher, KernelLaunchSpec, LaunchCommand } from './types.ts';

/** Quotes a path for the profile's Scheme-like syntax. */
function q(path: string): string {
  return `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The sandbox profile for one kernel. */
export function macosProfile(spec: KernelLaunchSpec, layout: PythonLayout): string {
  const readRoots = ['/usr', '/System', '/Library/Frameworks', '/private/etc', '/private/var/db/timezone', '/dev', KERNEL_PYTHON_DIR, ...layout.roots];
  const writeRoots = [spec.workdir, spec.runtimeDir];
  return [
    '(version 1)',
    '(deny default)',
    `(allow process-exec (literal ${q(layout.executable)}))`,
    '(allow process-info* (target self))',
    '(allow signal (target self))',
    '(allow sysctl-read)',
    '(allow mach-lookup (global-name "com.apple.system.opendirectoryd.libinfo"))',
    `(allow file-read-metadata)`,
    `(allow file-read* ${readRoots.map((r) => `(subpath ${q(r)})`).join(' ')} ${writeRoots.map((r) => `(subpath ${q(r)})`).join(' ')})`,
    `(allow file-write* ${writeRoots.map((r) => `(subpath ${q(r)})`).join(' ')} (literal "/dev/null"))`,
    `(allow network-bind network-inbound (local unix-socket (subpath ${q(spec.runtimeDir)})))`,
  ].join('\n');
}

/** Kernel under sandbox-exec, through duet_kernel.py (rlimits and the guard inside). */
export function macosLauncher(opts: { layout?: PythonLayout } = {}): KernelLauncher {
  return {
    mode: 'macos',
    transport: 'ipc',
    command(spec: KernelLaunchSpec): LaunchCommand {
      const layout = opts.layout ?? pythonLayout(spec.python);
      return {
        command: '/usr/bin/sandbox-exec',
        args: ['-p', macosProfile(spec, layout), spec.python, ...duetKernelArgs(spec, 'macos', spec.tmpDir, process.pid)],
        env: kernelEnv(spec),
        cwd: spec.workdir,
        // The profile cannot make the runtime directory read-only once the kernel has bound its sockets there.
        writable: [spec.workdir, spec.runtimeDir],
      };
    },
  };
}
