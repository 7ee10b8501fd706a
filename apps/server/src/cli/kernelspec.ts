/**
 * The Jupyter kernelspec that runs Duet's sandboxed kernel under a gateway
 * (Jupyter Server, Kernel Gateway, Enterprise Gateway): what kernel.json says,
 * where it goes, and the sandbox both `duet kernelspec install` and the kernel
 * it names insist on.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS, SandboxUnavailableError, chooseLauncher, findPython, PythonSetupError, type SandboxChoice, type SandboxLimits } from '@duet/kernel';
import { ConfigError } from '../config/index.ts';

export const DEFAULT_KERNEL_NAME = 'duet-sandboxed';

/** The `duet` command's entry point, which the kernelspec runs with this Node. */
export const DUET_BIN = fileURLToPath(new URL('../../bin/duet.js', import.meta.url));

/** The sandbox modes a kernelspec may name: never `none`. */
export const KERNELSPEC_SANDBOXES = ['auto', 'bwrap', 'landlock', 'macos'] as const;
export type KernelspecSandbox = (typeof KERNELSPEC_SANDBOXES)[number];

/** What kernel.json holds. */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: 'python';
  interrupt_mode: 'message';
  metadata: Record<string, unknown>;
}

export interface KernelSpecOptions {
  /** `--sandbox` for the kernel; absent: the kernel picks the strongest (auto). */
  sandbox?: KernelspecSandbox;
  /** `--python` for the kernel; absent: the kernel finds one as every duet command does. */
  python?: string;
  /** `--disk-limit` (MB) and `--max-files` for the kernel; absent: Duet's defaults. */
  diskLimitMb?: number;
  maxFiles?: number;
  /** Absolute path of Node (default: this one). */
  node?: string;
  /** Absolute path of bin/duet.js (default: this checkout's). */
  duetBin?: string;
}

/**
 * kernel.json for `duet kernel`. interrupt_mode "message": the gateway sends
 * interrupt_request, which the kernel answers itself; a signal to `duet kernel`
 * could not reach Python inside bubblewrap's jail.
 */
export function kernelSpec(o: KernelSpecOptions = {}): KernelSpec {
  return {
    argv: [
      o.node ?? process.execPath,
      o.duetBin ?? DUET_BIN,
      'kernel',
      '--connection-file',
      '{connection_file}',
      ...(o.sandbox !== undefined ? ['--sandbox', o.sandbox] : []),
      ...(o.python !== undefined ? ['--python', o.python] : []),
      ...(o.diskLimitMb !== undefined ? ['--disk-limit', String(o.diskLimitMb)] : []),
      ...(o.maxFiles !== undefined ? ['--max-files', String(o.maxFiles)] : []),
    ],
    display_name: 'Python 3 (Duet sandbox)',
    language: 'python',
    interrupt_mode: 'message',
    metadata: { debugger: false },
  };
}

/** Names Jupyter accepts for a kernelspec (jupyter_client's rule). */
const KERNEL_NAME = /^[a-z0-9._-]+$/i;

export function checkKernelName(name: string): string {
  if (!KERNEL_NAME.test(name)) throw new ConfigError(`--name must be letters, digits, ".", "_" and "-" only, as Jupyter requires (got "${name}").`);
  return name;
}

export function checkSandbox(mode: string | undefined): KernelspecSandbox | undefined {
  if (mode === undefined) return undefined;
  if ((KERNELSPEC_SANDBOXES as readonly string[]).includes(mode)) return mode as KernelspecSandbox;
  throw new ConfigError(`--sandbox must be one of ${KERNELSPEC_SANDBOXES.join(', ')} (got "${mode}"): a kernelspec never runs model code without a sandbox.`);
}

/** A whole number of at least 1 from a flag, or a usage error naming the flag. */
export function positiveFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag} must be a whole number of at least 1 (got "${value}").`);
  return n;
}

/** The kernel's limits: Duet's defaults, with the disk limit (MB) and file count given. */
export function kernelLimits(o: { diskLimitMb?: number | undefined; maxFiles?: number | undefined }): SandboxLimits {
  return {
    ...DEFAULT_LIMITS,
    ...(o.diskLimitMb !== undefined ? { diskBytes: o.diskLimitMb * 1024 ** 2 } : {}),
    ...(o.maxFiles !== undefined ? { maxFiles: o.maxFiles } : {}),
  };
}

/**
 * The user's Jupyter data folder, as jupyter_core finds it: JUPYTER_DATA_DIR,
 * else ~/Library/Jupyter on macOS, else $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter.
 */
export function jupyterDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (platform === 'darwin') return join(home, 'Library', 'Jupyter');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'jupyter');
}

/** The kernelspec's folder: PREFIX/share/jupyter/kernels/NAME (as `jupyter kernelspec install --prefix`), else in the user's data folder. */
export function kernelSpecDir(name: string, prefix?: string, dataDir: string = jupyterDataDir()): string {
  return join(prefix !== undefined ? join(prefix, 'share', 'jupyter') : dataDir, 'kernels', name);
}

/**
 * A Python with ipykernel and the sandbox the kernel gets, or a
 * {@link ConfigError} that says what to install. Never `none`: a kernelspec has no
 * `--allow-unsandboxed`.
 */
export async function kernelspecRuntime(o: { python?: string; sandbox?: KernelspecSandbox }): Promise<{ python: string; choice: SandboxChoice }> {
  let python: string;
  try {
    python = (await findPython({ ...(o.python !== undefined ? { explicit: o.python } : {}), createVenv: false })).python;
  } catch (err) {
    if (err instanceof PythonSetupError) throw new ConfigError(err.message);
    throw err;
  }
  let choice: SandboxChoice;
  try {
    // `none` is refused below with a message of its own: the general one offers --allow-unsandboxed.
    choice = await chooseLauncher({ python, mode: o.sandbox ?? 'auto', allowUnsandboxed: true });
  } catch (err) {
    if (err instanceof SandboxUnavailableError) throw new ConfigError(err.message);
    throw err;
  }
  if (choice.mode === 'none') {
    throw new ConfigError(
      'No operating-system sandbox is available on this machine, and a Duet kernelspec never runs model-written code without one.\n' +
        `${choice.detection.notes.join('\n')}\n` +
        'On the machine the gateway runs on, install bubblewrap (apt install bubblewrap) or use Linux 5.13+ with Landlock, then run this again.',
    );
  }
  return { python, choice };
}
