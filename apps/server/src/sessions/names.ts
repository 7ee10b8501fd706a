/**
 * Notebook names: plain file names without `.ipynb`. Everything that could
 * reach outside the notebooks folder, hide a file, or fail on another system is
 * refused before any path is built.
 */
import { basename, join, resolve } from 'node:path';
import { SessionError } from './errors.ts';

const MAX_LENGTH = 120;
/** Path separators, characters Windows refuses, and control characters (NUL included). */
const FORBIDDEN = /[/\\<>:"|?*\u0000-\u001f\u007f]/;

/** Why a name is refused, or null when it is fine. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'the name is empty';
  if (name.length > MAX_LENGTH) return `the name is longer than ${MAX_LENGTH} characters`;
  if (FORBIDDEN.test(name)) return 'the name contains a slash, a backslash, a control character or one of < > : " | ? *';
  if (name.startsWith('.')) return 'the name starts with a dot';
  if (name !== name.trim() || name.endsWith('.')) return 'the name starts or ends with a space, or ends with a dot';
  if (/\.ipynb$/i.test(name)) return 'the name ends with .ipynb (give it without the extension)';
  if (/%[0-9a-f]{2}/i.test(name)) return 'the name contains a percent-encoded character';
  return null;
}

/** The name if it is a plain notebook name; an `invalid` {@link SessionError} otherwise. */
export function checkName(name: unknown): string {
  if (typeof name !== 'string') throw new SessionError('invalid', 'A notebook name must be a string.');
  const problem = nameProblem(name);
  if (problem) throw new SessionError('invalid', `"${printable(name)}" is not a notebook name: ${problem}. Use a plain file name without .ipynb.`);
  return name;
}

/** The file of a checked name, confirmed to lie directly inside `dir`. */
export function notebookPath(dir: string, name: string): string {
  const path = resolve(join(dir, `${checkName(name)}.ipynb`));
  if (resolve(path, '..') !== resolve(dir) || basename(path) !== `${name}.ipynb`) throw new SessionError('invalid', 'That name would leave the notebooks folder.');
  return path;
}

/** The default kernel working directory of a notebook: a folder beside it named after it. */
export function workdirPath(dir: string, name: string): string {
  return resolve(join(dir, `${checkName(name)}.files`));
}

function printable(s: string): string {
  return JSON.stringify(s.slice(0, 60)).slice(1, -1);
}
