/**
 * Cold start and trivial-cell round trip of one KernelSession configuration,
 * measured the same way for every section that compares kernels.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KernelSession, type KernelLauncher } from '@duet/kernel';

export const STARTS = 5;
export const WARMUP = 20;
export const ITERATIONS = 200;
export const TRIVIAL_CELL = 'x = 1';

export interface KernelFigures {
  startMs: number[];
  rttMs: number[];
}

async function withSession<T>(python: string, launcher: KernelLauncher | undefined, body: (s: KernelSession) => Promise<T>): Promise<{ value: T; startMs: number }> {
  const workdir = await mkdtemp(join(tmpdir(), 'duet-bench-kernel-'));
  const session = new KernelSession({ python, workdir, ...(launcher ? { launcher } : {}) });
  try {
    const t0 = performance.now();
    await session.start();
    const startMs = performance.now() - t0;
    return { value: await body(session), startMs };
  } finally {
    await session.shutdown();
    await rm(workdir, { recursive: true, force: true });
  }
}

/** `STARTS` cold starts, then `ITERATIONS` trivial cells (after `WARMUP`) on one kernel. */
export async function measureKernel(python: string, launcher?: KernelLauncher): Promise<KernelFigures> {
  const startMs: number[] = [];
  for (let i = 0; i < STARTS; i++) startMs.push((await withSession(python, launcher, async () => undefined)).startMs);
  return { startMs, rttMs: await measureRoundTrip(python, launcher) };
}

/** `ITERATIONS` trivial cells (after `WARMUP`) on one kernel started for them: the bare client's round trips, ms. */
export async function measureRoundTrip(python: string, launcher?: KernelLauncher): Promise<number[]> {
  const { value } = await withSession(python, launcher, async (session) => {
    for (let i = 0; i < WARMUP; i++) await session.execute(TRIVIAL_CELL).result;
    const times: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const t0 = performance.now();
      const result = await session.execute(TRIVIAL_CELL).result;
      times.push(performance.now() - t0);
      if (result.status !== 'ok') throw new Error(`The trivial cell failed${launcher ? ` under ${launcher.mode}` : ''} (${result.ename}: ${result.evalue}).`);
    }
    return times;
  });
  return value;
}
