/**
 * Where an eval keeps its files. Model ids and task ids become folder and file
 * names, so anything that is not plainly safe in a file name is replaced, with a
 * short hash of the original so two ids never share a file.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** The folder of the run notebooks, inside the eval folder. */
export const NOTEBOOKS_DIR = 'notebooks';
/** The self-contained report, inside the eval folder. */
export const REPORT_FILE = 'report.html';

const UNSAFE = /[^A-Za-z0-9._,@-]+/g;
const MAX = 80;

/** `text` as a file name: itself when it is plainly safe, else a cleaned form and a hash of the original. */
export function safeName(text: string): string {
  const cleaned = text.replace(UNSAFE, '-').replace(/^[.-]+/, '').slice(0, MAX);
  if (cleaned === text) return text;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${cleaned || 'x'}-${hash}`;
}

/** A task's notebook, relative to the eval folder. */
export function notebookFile(contestant: string, task: string): string {
  return join(NOTEBOOKS_DIR, safeName(contestant), `${safeName(task)}.ipynb`);
}

/** The kernel's working folder of a task's run, relative to the eval folder: beside its notebook, as `duet run` does. */
export function workdirFor(contestant: string, task: string): string {
  return join(NOTEBOOKS_DIR, safeName(contestant), `${safeName(task)}.files`);
}

/** An eval is named after its folder. */
export function evalName(dir: string): string {
  return dir.replace(/[/\\]+$/, '').split(/[/\\]/).at(-1) ?? dir;
}
