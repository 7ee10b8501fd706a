/**
 * What a kernel process inherits. Node marks every descriptor it opens
 * close-on-exec, but one this process itself inherited (from a terminal, an
 * IDE, a CI runner, a service manager, a parent's IPC channel) stays open across
 * exec, and would reach the kernel with whatever rights it was opened with.
 */
import { readdirSync, readFileSync } from 'node:fs';

type StdioEntry = 'ignore' | 'pipe' | number;

const O_CLOEXEC = 0o2000000;

/**
 * Descriptors above stderr that a program this process starts would inherit:
 * open and not close-on-exec, read from /proc/self/fdinfo. Empty where there
 * is no /proc (the kernel's launcher closes them itself there).
 */
export function inheritableDescriptors(): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc/self/fd');
  } catch {
    return [];
  }
  const fds: number[] = [];
  for (const name of names) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd <= 2) continue;
    try {
      const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
      if (flags?.[1] !== undefined && (parseInt(flags[1], 8) & O_CLOEXEC) === 0) fds.push(fd);
    } catch {
      // Closed meanwhile, or the listing's own descriptor.
    }
  }
  return fds;
}

/**
 * A `stdio` option for spawn that puts `devNull` (a descriptor open on
 * /dev/null) in the child at every inheritable position, so what was there never
 * reaches it. Positions left 'ignore' hold close-on-exec descriptors, which exec closes.
 */
export function stdioWithout(inherited: readonly number[], devNull: number, first: readonly StdioEntry[]): StdioEntry[] {
  const stdio: StdioEntry[] = [...first];
  for (const fd of inherited) {
    while (stdio.length < fd) stdio.push('ignore');
    stdio[fd] = devNull;
  }
  return stdio;
}
