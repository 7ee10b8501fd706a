/**
 * Processes as /proc shows them, for tests that judge from outside whether
 * something Duet started is still running. Linux only, as those tests are.
 */
import { readFileSync, readdirSync } from 'node:fs';

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The fields of /proc/PID/stat after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: number | string): string[] {
  const stat = readOr(`/proc/${pid}/stat`);
  return stat === '' ? [] : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** True while `pid` runs: a process that is gone or a zombie runs nothing. */
export function isRunning(pid: number): boolean {
  const state = statFields(pid)[0];
  return state !== undefined && state !== 'Z';
}

/** Process ids whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(statFields(entry)[1]) === pid)
    .map(Number);
}

/** The pids of `root` and every process below it. */
export function processTree(root: number): number[] {
  return [root, ...childrenOf(root).flatMap(processTree)];
}
