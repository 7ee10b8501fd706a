/**
 * Runs cells in a kernel started for them alone, in an empty working folder, so
 * nothing a run left behind (variables, imports, files) can make them pass. The
 * judge of an eval and `duet replay` both stand on it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KernelConnection, KernelLogger } from '@duet/kernel';
import { CellRunner, type CellOutcome } from '../controller/index.ts';
import type { NotebookDocument } from '../notebook/index.ts';

export interface FreshKernelOptions {
  /** Makes the kernel: in the same sandbox (or on the same gateway) as the run's. */
  newKernel: (workdir: string) => KernelConnection;
  log: KernelLogger;
  cellTimeoutMs: number;
  /** The kernel's working folder; a new temporary one, removed afterwards, when absent. */
  workdir?: string;
  /** Aborting shuts the kernel down; the replay then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Each replayed cell's outcome, in the order asked. */
export interface Replayed {
  outcomes: CellOutcome[];
}

/** Runs the cells of `doc` named by `ids`, in that order, one at a time, in a fresh kernel. */
export async function replayInFreshKernel(doc: NotebookDocument, ids: readonly string[], opts: FreshKernelOptions): Promise<Replayed> {
  const { signal } = opts;
  signal?.throwIfAborted();
  const temp = opts.workdir === undefined ? await mkdtemp(join(tmpdir(), 'duet-fresh-')) : null;
  const workdir = opts.workdir ?? join(temp as string, 'work');
  const kernel = opts.newKernel(workdir);
  // A cell that hangs must not hold up a stop: the kernel goes, and the cell ends with it.
  const onAbort = (): void => void kernel.shutdown().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await kernel.start();
    const runner = new CellRunner({ doc, kernel, cellTimeoutMs: opts.cellTimeoutMs, log: opts.log });
    try {
      const outcomes: CellOutcome[] = [];
      for (const id of ids) {
        signal?.throwIfAborted();
        outcomes.push(await runner.run(id));
      }
      signal?.throwIfAborted();
      return { outcomes };
    } finally {
      runner.dispose();
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await kernel.shutdown().catch(() => undefined);
    if (temp !== null) await rm(temp, { recursive: true, force: true });
  }
}
