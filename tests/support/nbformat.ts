/**
 * Checks a written notebook against the nbformat schema with Python's own
 * nbformat (Debian's python3-nbformat), so "valid .ipynb" means what Jupyter means.
 */
import { spawn } from 'node:child_process';

/** Debian's interpreter: the pyenv `python3` on PATH has no nbformat. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

const VALIDATE = 'import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))';

/** Runs nbformat.validate on the file; resolves to its exit code and what it printed on stderr. */
export function validateNotebook(path: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SYSTEM_PYTHON, ['-c', VALIDATE, path], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}
