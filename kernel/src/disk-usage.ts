/**
 * How much a kernel keeps on disk. The operating-system layers limit the size
 * of each file but not the total, nor the number of files, so the session and
 * the server count them while a cell runs and stop the cell that goes past.
 */
import { lstat, readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';

/** What a set of directories holds. */
export interface DiskUsage {
  /** Allocated bytes (sparse files count for what they use). */
  bytes: number;
  /** Entries below the roots: files, directories, links, sockets. */
  files: number;
}

/**
 * Bytes under `dir` (allocated blocks, so sparse files count for what they use),
 * not following symlinks. Stops counting once `stopAbove` is passed: the caller
 * only needs to know that the limit is gone.
 */
export async function directoryBytes(dir: string, stopAbove = Number.POSITIVE_INFINITY): Promise<number> {
  return (await diskUsage([dir], { bytes: stopAbove })).bytes;
}

/** Entries looked at in one measurement, whatever the limits: a bound on the work it costs. */
const MAX_ENTRIES = 1_000_000;

/**
 * Bytes and entries under every root, not following symlinks. Stops once either
 * count passes its `stopAbove`: the figures are then lower bounds.
 *
 * The kernel may be changing these folders while they are counted, and could put
 * a link where a folder was. A folder is only read by its real path, and what was
 * read is dropped if that path no longer is real afterwards: the count never
 * follows a link out of the kernel's places.
 */
export async function diskUsage(roots: readonly string[], stopAbove: Partial<DiskUsage> = {}): Promise<DiskUsage> {
  const maxBytes = stopAbove.bytes ?? Number.POSITIVE_INFINITY;
  const maxFiles = Math.min(stopAbove.files ?? Number.POSITIVE_INFINITY, MAX_ENTRIES);
  const usage: DiskUsage = { bytes: 0, files: 0 };
  const pending = (await Promise.all(roots.map((root) => realpath(root).catch(() => null)))).filter((r): r is string => r !== null);
  while (pending.length > 0 && usage.bytes <= maxBytes && usage.files <= maxFiles) {
    const current = pending.pop() as string;
    let names: string[];
    try {
      names = await readdir(current);
      if ((await realpath(current)) !== current) continue;
    } catch {
      continue; // Removed while we looked, or not a directory: nothing to count.
    }
    // In batches: one lstat at a time would make a directory of thousands take thousands of round trips.
    for (let i = 0; i < names.length && usage.bytes <= maxBytes && usage.files <= maxFiles; i += 64) {
      const batch = names.slice(i, i + 64).map((name) => join(current, name));
      const stats = await Promise.all(batch.map((path) => lstat(path).catch(() => null)));
      stats.forEach((st, k) => {
        if (!st) return; // Gone already.
        usage.files += 1;
        usage.bytes += st.blocks * 512;
        if (st.isDirectory()) pending.push(batch[k] as string);
      });
    }
  }
  return usage;
}
