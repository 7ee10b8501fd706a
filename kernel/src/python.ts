/**
 * Finds the Python that runs the kernel: `DUET_PYTHON` (or --python), else
 * kernel/.venv, else `python3` on PATH, else the system's /usr/bin/python3 —
 * the first that can `import ipykernel`. Where none can, it tries to make
 * kernel/.venv with pip; where that fails too, it stops with one message that
 * names the fix. Never a stack trace for this.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
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
  '  any system:     python3 -m venv kernel/.venv && kernel/.venv/bin/pip install ipykernel',
  'or point Duet at a Python that has it: DUET_PYTHON=/path/to/python (or --python).',
].join('\n');

/** Version of Python and ipykernel at `python`, or null when it cannot import ipykernel. */
export async function probePython(python: string): Promise<{ pythonVersion: string; ipykernelVersion: string } | null> {
  try {
    const { stdout } = await run(python, ['-c', 'import sys, ipykernel; print(sys.version.split()[0], ipykernel.__version__)'], {
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
    });
    const [pythonVersion, ipykernelVersion] = stdout.trim().split(/\s+/);
    return pythonVersion && ipykernelVersion ? { pythonVersion, ipykernelVersion } : null;
  } catch {
    return null;
  }
}

export async function findPython(opts: FindPythonOptions = {}): Promise<PythonChoice> {
  if (opts.explicit) {
    const found = await probePython(opts.explicit);
    if (found) return { python: opts.explicit, source: 'explicit', ...found };
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
    if (found) return { python, source, ...found };
  }
  if (opts.createVenv !== false) {
    const made = await createVenv(venv, opts.onProgress);
    if (made) return made;
  }
  throw new PythonSetupError(`No Python with ipykernel was found (tried ${candidates.map(([p]) => p).join(', ')}), and kernel/.venv could not be created with pip.\n${FIX}`);
}

async function createVenv(venv: string, onProgress?: (m: string) => void): Promise<PythonChoice | null> {
  try {
    if (!existsSync(`${venv}/bin/python`)) {
      onProgress?.(`Creating a Python environment for the kernel in ${venv} …`);
      await run('python3', ['-m', 'venv', venv], { timeout: 120_000 });
    }
    onProgress?.('Installing ipykernel into it with pip (needs the network) …');
    await run(`${venv}/bin/python`, ['-m', 'pip', 'install', '--disable-pip-version-check', '--retries', '1', '--timeout', '15', 'ipykernel'], { timeout: 600_000 });
  } catch {
    return null;
  }
  const found = await probePython(`${venv}/bin/python`);
  return found ? { python: `${venv}/bin/python`, source: 'venv-created', ...found } : null;
}
