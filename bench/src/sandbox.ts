/**
 * What the sandbox costs: cold start to kernel_info_reply and the round trip of a
 * trivial cell, in each sandbox mode this machine offers, beside the plain
 * (unsandboxed) kernel measured in the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KernelSession, detectSandbox, plainLauncher, sandboxLauncher, type KernelLauncher } from '@duet/kernel';
import type { BenchRow, BenchSection } from './report.ts';

const PYTHON = '/usr/bin/python3';
const STARTS = 5;
const WARMUP = 20;
const ITERATIONS = 200;
const TRIVIAL_CELL = 'x = 1';

interface Figures {
  startMs: number[];
  rttMs: number[];
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

const median = (values: readonly number[]): number => quantile(values, 0.5);
const ms = (v: number): string => (v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(2)} ms`);
const added = (sandboxed: number, plain: number): string => `${sandboxed >= plain ? '+' : ''}${(((sandboxed - plain) / plain) * 100).toFixed(0)}%`;

async function withSession<T>(launcher: KernelLauncher, body: (s: KernelSession) => Promise<T>): Promise<{ value: T; startMs: number }> {
  const workdir = await mkdtemp(join(tmpdir(), 'duet-bench-sandbox-'));
  const session = new KernelSession({ python: PYTHON, workdir, launcher });
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

async function measure(launcher: KernelLauncher): Promise<Figures> {
  const startMs: number[] = [];
  for (let i = 0; i < STARTS; i++) startMs.push((await withSession(launcher, async () => undefined)).startMs);
  const { value: rttMs } = await withSession(launcher, async (session) => {
    for (let i = 0; i < WARMUP; i++) await session.execute(TRIVIAL_CELL).result;
    const times: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const t0 = performance.now();
      const result = await session.execute(TRIVIAL_CELL).result;
      times.push(performance.now() - t0);
      if (result.status !== 'ok') throw new Error(`The trivial cell failed under ${launcher.mode} (${result.ename}: ${result.evalue}).`);
    }
    return times;
  });
  return { startMs, rttMs };
}

/** Runs the sandbox benchmark: every available mode beside the plain kernel. */
export async function benchSandbox(): Promise<BenchSection> {
  const detection = await detectSandbox(PYTHON);
  const modes = detection.available.filter((m) => m !== 'none');
  const plain = await measure(plainLauncher());
  const rows: BenchRow[] = [];
  const figures: [string, (f: Figures) => number, string][] = [
    ['cold start to kernel_info_reply, median', (f) => median(f.startMs), `${STARTS} starts`],
    ['trivial cell round trip, median', (f) => median(f.rttMs), `'${TRIVIAL_CELL}', ${ITERATIONS} runs after ${WARMUP} warm-up`],
    ['trivial cell round trip, p95', (f) => quantile(f.rttMs, 0.95), 'same runs'],
  ];
  // 'none' through duet_kernel.py: the guard, rlimits and seccomp without an OS jail.
  for (const mode of [...modes, 'none' as const]) {
    const sandboxed = await measure(sandboxLauncher(mode));
    for (const [name, pick, note] of figures) {
      const s = pick(sandboxed);
      const p = pick(plain);
      rows.push({ name: `${mode}: ${name}`, duet: ms(s), peer: ms(p), ratio: `${(s / p).toFixed(2)}×`, note: `${added(s, p)} over the plain kernel; ${note}` });
    }
  }
  return {
    title: `Sandbox cost: each mode (duet) beside the plain unsandboxed kernel (peer), ${PYTHON}`,
    rows,
  };
}
