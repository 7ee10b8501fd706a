/**
 * Which launcher starts the server's kernels, and what to tell the user about it.
 * This is the one place that decides; everything else takes the launcher it returns.
 */
import { SandboxUnavailableError, chooseLauncher, plainLauncher, type KernelLauncher, type KernelLaunchSpec, type LaunchCommand } from '@duet/kernel';
import { ConfigError } from '../config/index.ts';

import type { SandboxReport } from '../protocol/api.ts';

export type { SandboxReport };

export interface LauncherChoice {
  launcher: KernelLauncher;
  sandbox: SandboxReport;
}

export interface LauncherRequest {
  python: string;
  sandbox: 'auto' | 'bwrap' | 'landlock' | 'macos' | 'none';
  allowUnsandboxed: boolean;
}

/**
 * Detects the sandboxes that work here and picks one (`auto`: the strongest).
 * Throws {@link ConfigError} when the one asked for is missing, or when only
 * `none` is left and `--allow-unsandboxed` was not given.
 */
export async function chooseServerLauncher(req: LauncherRequest): Promise<LauncherChoice> {
  try {
    const choice = await chooseLauncher({ python: req.python, mode: req.sandbox, allowUnsandboxed: req.allowUnsandboxed });
    const notes = [...choice.detection.notes];
    if (choice.mode === 'none') notes.push('Model code runs without an operating-system sandbox (--allow-unsandboxed): only Python-level checks stand between it and your files.');
    return { launcher: choice.launcher, sandbox: { mode: choice.mode, available: choice.mode !== 'none', notes } };
  } catch (err) {
    if (err instanceof SandboxUnavailableError) throw new ConfigError(err.message);
    throw err;
  }
}

const renameSafe = new WeakSet<KernelLauncher>();

/**
 * True when a kernel's confinement follows its working directory through a
 * rename, so a warm kernel's directory can become a notebook's. bubblewrap binds
 * the directory itself at a fixed path inside the jail; a launcher marked by
 * {@link plainServerLauncher} has no confinement at all. The in-process modes check
 * paths by name (the Python guard) and macOS profiles name paths too: their
 * kernels start in the notebook's own directory.
 */
export function survivesWorkdirRename(launcher: KernelLauncher): boolean {
  return launcher.mode === 'bwrap' || renameSafe.has(launcher);
}

/**
 * The plain launcher (no sandbox, stock ipykernel) for tests and benchmarks
 * that measure Duet without isolation. The kernel exits by itself within a
 * second if the server dies without shutting it down (kill -9), through
 * ipykernel's parent polling (JPY_PARENT_PID); the sandbox launchers arm a
 * death signal themselves.
 */
export function plainServerLauncher(): KernelLauncher {
  const plain = plainLauncher();
  const launcher: KernelLauncher = {
    mode: plain.mode,
    transport: plain.transport,
    command(spec: KernelLaunchSpec): LaunchCommand {
      const cmd = plain.command(spec);
      return { ...cmd, env: { ...cmd.env, JPY_PARENT_PID: String(process.pid) } };
    },
  };
  renameSafe.add(launcher);
  return launcher;
}
