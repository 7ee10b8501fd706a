/**
 * Finds the Python that runs the kernel: `DUET_PYTHON` (or --python), else
 * kernel/.venv, else `python3` on PATH, else the system's /usr/bin/python3 —
 * the first that can `import ipykernel`. Where none can, it tries to make
 * kernel/.venv with pip; where that fails too, it stops with one message that
 * names the fix. Never a stack trace for this.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** kernel/.venv, beside this package's sources. */
export const DEFAULT_VENV = fileURLToPath(new URL('../.venv', import.meta.url));

export interface PythonChoice {
  python: string;
  source: 'explicit' | 'venv' | 'path' | 'system' | 'venv-created';
  pythonVersion: string;
  ipykernelVersion: string;
}

export class PythonSetupError extends Error {
  override readonly name = 'PythonSetupError';
}

export interface FindPythonOptions {
  /** From --python or DUET_PYTHON: used alone, with no fallback. */
  explicit?: string;
  venvDir?: string;
  /** Try to create the venv and pip install ipykernel when nothing else works. */
  createVenv?: boolean;
  /** Progress for long steps (creating the venv). */
  onProgress?: (message: string) => void;
}

const FIX = [
  'Duet needs Python 3 with ipykernel. Install it one of these ways, then start Duet again:',
  '  Debian/Ubuntu:  sudo apt install python3-ipykernel',
  '  macOS:          brew install python && python3 -m pip install ipykernel',
  "  any system:     python3 -m venv kernel/.venv && kernel/.venv/bin/pip install 'ipykernel>=6.17,<7'",
  'or point Duet at a Python that has it: DUET_PYTHON=/path/to/python (or --python).',
].join('\n');

/**
 * Version of Python and ipykernel at `python`, and the interpreter's absolute path,
 * or null when it cannot import ipykernel. The kernel starts with a minimal PATH,
 * so a bare `python3` found on the user's PATH (pyenv, conda, Homebrew) must be
 * pinned to the interpreter that was checked. `sys.executable` keeps a venv's own
 * path, and with it the venv's packages.
 */
export async function probePython(python: string): Promise<{ executable: string; pythonVersion: string; ipykernelVersion: string } | null> {
  try {
    const { stdout } = await run(python, ['-c', 'import sys, ipykernel; print(sys.version.split()[0], ipykernel.__version__); print(sys.executable)'], {
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
    });
    const [versions = '', executable = ''] = stdout.trim().split('\n');
    const [pythonVersion, ipykernelVersion] = versions.trim().split(/\s+/);
    if (!pythonVersion || !ipykernelVersion) return null;
    return { executable: executable.trim().startsWith('/') ? executable.trim() : python, pythonVersion, ipykernelVersion };
  } catch {
    return null;
  }
}

export async function findPython(opts: FindPythonOptions = {}): Promise<PythonChoice> {
  if (opts.explicit) {
    const found = await probePython(opts.explicit);
    if (found) return choice(found, 'explicit');
    throw new PythonSetupError(`The Python given by --python/DUET_PYTHON (${opts.explicit}) cannot run "import ipykernel".\n${FIX}`);
  }
  const venv = opts.venvDir ?? DEFAULT_VENV;
  const venvPython = `${venv}/bin/python`;
  const candidates: [string, PythonChoice['source']][] = [
    [venvPython, 'venv'],
    ['python3', 'path'],
    ['/usr/bin/python3', 'system'],
  ];
  for (const [python, source] of candidates) {
    if (source === 'venv' && !existsSync(python)) continue;
    const found = await probePython(python);
    if (found) return choice(found, source);
  }
  if (opts.createVenv !== false) {
    const made = await createVenv(venv, opts.onProgress);
    if (made) return made;
  }
  throw new PythonSetupError(`No Python with ipykernel was found (tried ${candidates.map(([p]) => p).join(', ')}), and kernel/.venv could not be created with pip.\n${FIX}`);
}

/** The ipykernel Duet's kernel entry point is built and tested against. */
export const IPYKERNEL_REQUIREMENT = 'ipykernel>=6.17,<7';

async function createVenv(venv: string, onProgress?: (m: string) => void): Promise<PythonChoice | null> {
  const created = !existsSync(`${venv}/bin/python`);
  try {
    if (created) {
      onProgress?.(`Creating a Python environment for the kernel in ${venv} …`);
      await run('python3', ['-m', 'venv', venv], { timeout: 120_000 });
    }
    onProgress?.(`Installing ${IPYKERNEL_REQUIREMENT} into it with pip (needs the network) …`);
    await run(`${venv}/bin/python`, ['-m', 'pip', 'install', '--disable-pip-version-check', '--retries', '1', '--timeout', '15', IPYKERNEL_REQUIREMENT], {
      timeout: 600_000,
    });
  } catch {
    // A venv without ipykernel would be tried, and pip run again, at every start: leave none behind.
    if (created) await rm(venv, { recursive: true, force: true }).catch(() => undefined);
    return null;
  }
  const found = await probePython(`${venv}/bin/python`);
  return found ? choice(found, 'venv-created') : null;
}

function choice(found: { executable: string; pythonVersion: string; ipykernelVersion: string }, source: PythonChoice['source']): PythonChoice {
  return { python: found.executable, source, pythonVersion: found.pythonVersion, ipykernelVersion: found.ipykernelVersion };
}
