/**
 * How much a kernel's workdir holds. The operating-system layers limit the size
 * of each file but not the total, so the server watches the total while a cell
 * runs and stops the cell that goes past it.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bytes under `dir` (allocated blocks, so sparse files count for what they use),
 * not following symlinks. Stops counting once `stopAbove` is passed: the caller
 * only needs to know that the limit is gone.
 */
export async function directoryBytes(dir: string, stopAbove = Number.POSITIVE_INFINITY): Promise<number> {
  let total = 0;
  const pending = [dir];
  while (pending.length > 0 && total <= stopAbove) {
    const current = pending.pop() as string;
    let names: string[];
    try {
      names = await readdir(current);
    } catch {
      continue; // Removed while we looked, or not a directory: nothing to count.
    }
    for (const name of names) {
      const path = join(current, name);
      try {
        const st = await lstat(path);
        total += st.blocks * 512;
        if (st.isDirectory()) pending.push(path);
      } catch {
        // Gone already.
      }
      if (total > stopAbove) break;
    }
  }
  return total;
}
