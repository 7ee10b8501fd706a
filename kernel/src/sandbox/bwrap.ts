/**
 * bubblewrap: the kernel in its own user, PID, network, IPC and UTS namespaces,
 * seeing only /usr, the interpreter, a handful of /etc files, a fresh /proc and
 * /dev, its private /tmp, its workdir and its runtime directory. Everything it
 * can write is on the host's disk, where the session counts it: no tmpfs (the
 * root and /dev are read-only), so nothing escapes the disk limit into memory.
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { KERNEL_PYTHON_DIR, duetKernelArgs, type KernelOptions } from './duet-kernel.ts';
import { kernelEnv } from './env.ts';
import { isInside, outermost, pythonLayout, type PythonLayout } from './python-layout.ts';
import type { KernelLauncher, KernelLaunchSpec, LaunchCommand } from './types.ts';

/** The /etc files Python, numpy (BLAS through alternatives), pandas and matplotlib read. */
export const ETC_BINDS = [
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/alternatives',
  '/etc/localtime',
  '/etc/timezone',
  '/etc/matplotlibrc',
  '/etc/mime.types',
  '/etc/fonts',
  '/etc/os-release',
  '/etc/python3',
] as const;

/** Top-level directories Debian makes symlinks into /usr (merged /usr). */
const USR_LINKS = ['/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32'] as const;

export interface BwrapOptions extends KernelOptions {
  /** bwrap's path. */
  bwrap?: string;
  /** Where the interpreter lives; probed from `spec.python` when absent. */
  layout?: PythonLayout;
}

/**
 * bwrap's arguments up to and including `--`, for running `inner` in the jail.
 * Not `--ro-bind / /`: that would show host files, host Unix sockets and more.
 * `--clearenv` plus one `--setenv` per variable: the jail's environment is
 * exactly `env`. bwrap itself must also be started with `env`, since the
 * jail's /proc/1/environ shows bwrap's own environment.
 *
 * The kernel keeps one capability, CAP_SYS_ADMIN in the jail's own user
 * namespace, for its first act: remounting the runtime directory read-only once
 * its sockets are bound there, and the writable binds noexec (duet_mounts.py).
 * bwrap lets a user namespace's mounts be changed only by a process whose uid is
 * that namespace's owner, hence `--uid 0`: root inside, the server's user outside.
 */
export function bwrapArgs(spec: KernelLaunchSpec, env: Record<string, string>, layout: PythonLayout): string[] {
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--uid', '0', '--gid', '0'];
  args.push('--cap-drop', 'ALL', '--cap-add', 'CAP_SYS_ADMIN', '--clearenv', '--hostname', 'duet');
  for (const [k, v] of Object.entries(env)) args.push('--setenv', k, v);
  // The private /tmp first: everything bound below may live under the host's /tmp
  // (a clone, a venv, the runtime directory, the workdir), and a later mount would hide it.
  args.push('--bind', spec.tmpDir, '/tmp');
  args.push('--ro-bind', '/usr', '/usr');
  for (const dir of USR_LINKS) {
    const link = usrLink(dir);
    if (link) args.push('--symlink', link, dir);
    else if (existsSync(dir)) args.push('--ro-bind', dir, dir);
  }
  for (const path of ETC_BINDS) args.push('--ro-bind-try', path, path);
  const python3x = layout.roots.map((r) => /\/python(3\.\d+)$/.exec(r)?.[1]).find(Boolean);
  if (python3x) args.push('--ro-bind-try', `/etc/python${python3x}`, `/etc/python${python3x}`);
  for (const root of outermost([...layout.roots, KERNEL_PYTHON_DIR])) {
    if (root !== '/usr' && !isInside(root, '/usr')) args.push('--ro-bind', root, root);
  }
  args.push('--ro-bind-try', '/sys/devices/system/cpu', '/sys/devices/system/cpu');
  // Read-only /proc: uid 0 may write /proc/sys without any capability (core_pattern is
  // host-wide), and bwrap maps a root server to root inside the jail.
  args.push('--proc', '/proc', '--remount-ro', '/proc', '--dev', '/dev');
  args.push('--bind', spec.runtimeDir, spec.runtimeDir, '--bind', spec.workdir, spec.workdir);
  // Last, once every mount point exists: the jail's own root and /dev are tmpfs
  // mounts, memory outside every limit; nothing may be written there.
  args.push('--remount-ro', '/dev', '--remount-ro', '/');
  args.push('--chdir', spec.workdir, '--');
  return args;
}

function usrLink(dir: string): string | null {
  try {
    if (!lstatSync(dir).isSymbolicLink()) return null;
    const target = readlinkSync(dir);
    return target.startsWith('usr/') || target.startsWith('/usr/') ? target : null;
  } catch {
    return null;
  }
}

/** Kernel in bubblewrap, through duet_kernel.py (seccomp, rlimits, guard inside). */
export function bwrapLauncher(opts: BwrapOptions = {}): KernelLauncher {
  return {
    mode: 'bwrap',
    transport: 'ipc',
    command(spec: KernelLaunchSpec): LaunchCommand {
      const env = kernelEnv(spec, '/tmp');
      const layout = opts.layout ?? pythonLayout(spec.python);
      return {
        command: opts.bwrap ?? 'bwrap',
        args: [...bwrapArgs(spec, env, layout), spec.python, ...duetKernelArgs(spec, 'bwrap', '/tmp', undefined, opts)],
        env,
        cwd: spec.workdir,
        // The runtime directory is bound writable, but the kernel remounts it read-only before anything else runs.
        writable: [spec.workdir, spec.tmpDir],
      };
    },
  };
}
