/**
 * What the sandbox costs: cold start to kernel_info_reply and the round trip of a
 * trivial cell, in each sandbox mode this machine offers, beside the plain
 * (unsandboxed) kernel measured in the same run.
 */
import { detectSandbox, plainLauncher, sandboxLauncher, type KernelLauncher } from '@duet/kernel';
import { measureKernel, ITERATIONS, STARTS, TRIVIAL_CELL, WARMUP, type KernelFigures } from './kernel-figures.ts';
import type { BenchRow, BenchSection } from './report.ts';
import { median, ms, quantile } from './stats.ts';

const PYTHON = '/usr/bin/python3';

type Figures = KernelFigures;

const added = (sandboxed: number, plain: number): string => `${sandboxed >= plain ? '+' : ''}${(((sandboxed - plain) / plain) * 100).toFixed(0)}%`;

function measure(launcher: KernelLauncher): Promise<Figures> {
  return measureKernel(PYTHON, launcher);
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
