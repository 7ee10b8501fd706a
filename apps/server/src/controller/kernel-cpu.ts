/**
 * CPU time of a kernel and everything it started, read from Linux's /proc. A
 * thread a cell leaves running makes the kernel report itself idle while it burns
 * CPU; its CPU time is what shows it. Elsewhere (no /proc) there is no figure.
 */
import { readFile, readdir } from 'node:fs/promises';

/** /proc reports CPU time in USER_HZ, which Linux fixes at 100 per second for user space. */
const MS_PER_TICK = 10;

/** Processes looked at, at most: a kernel has a handful; the bound only keeps a strange tree from costing much. */
const MAX_PROCESSES = 64;

/**
 * Milliseconds of CPU (user and system, every thread) used so far by `pid` and its
 * descendants that are still running, or null where /proc cannot tell.
 */
export async function processTreeCpuMs(pid: number): Promise<number | null> {
  if (process.platform !== 'linux') return null;
  const own = await cpuMsOf(pid);
  if (own === null) return null;
  let total = own;
  const seen = new Set([pid]);
  const pending = await childrenOf(pid);
  for (let next = pending.pop(); next !== undefined && seen.size < MAX_PROCESSES; next = pending.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    total += (await cpuMsOf(next)) ?? 0;
    pending.push(...(await childrenOf(next)));
  }
  return total;
}

/** utime + stime of one process, all its threads. */
async function cpuMsOf(pid: number): Promise<number | null> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name in parentheses may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) * MS_PER_TICK : null;
}

/** Children of every thread of `pid`. */
async function childrenOf(pid: number): Promise<number[]> {
  let tasks: string[];
  try {
    tasks = await readdir(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const tid of tasks) {
    const text = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '');
    for (const word of text.split(' ')) {
      const child = Number(word);
      if (Number.isInteger(child) && child > 0) children.push(child);
    }
  }
  return children;
}
