/**
 * `duet eval`'s own cost: 50 scripted tasks, each a whole run (its own kernel)
 * and a judge (a fresh kernel), at concurrency 1 and 4. The model answers at
 * once, so what is left besides kernel time is Duet's: planning requests,
 * splitting, the notebook and its saves, the results file. Reported per task as
 * wall time minus model, queue and kernel time, and the speed-up of running four
 * at once on this machine.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '@duet/kernel';
import { chooseServerLauncher, localKernels, EvalRunner, ScriptedModelServer, contentChunks, type Contestant, type EvalTask, type ScriptStep, type TaskResult } from '@duet/server';
import type { BenchRow, BenchSection } from './report.ts';
import { median, ms } from './stats.ts';

/** Debian's interpreter, which has ipykernel. */
const PYTHON = '/usr/bin/python3';
const TASKS = 50;
const NO_PEER = 'No peer measured: no other tool runs this loop.';

/** Small tasks, each asking for a function of its own. */
function tasks(count = TASKS): EvalTask[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `task-${String(i + 1).padStart(2, '0')}`,
    prompt: `Write f${i}(x) that returns x times ${i + 1}.`,
    test: `assert f${i}(2) == ${2 * (i + 1)}\nassert f${i}(0) == 0\n`,
  }));
}

/** Answers each task at once with its function and two passing tests. */
function answer(prompt: string): ScriptStep[] {
  const [, n, times] = /Write f(\d+)\(x\) that returns x times (\d+)/.exec(prompt) ?? [];
  const text = `RUN-CODE\n\`\`\`python\ndef f${n}(x):\n    return x * ${times}\n\`\`\`\n\nTEST-ASSERT\n\`\`\`python\nassert f${n}(1) == ${times}\n\`\`\`\n\nTEST-ASSERT\n\`\`\`python\nassert f${n}(3) == ${3 * Number(times)}\n\`\`\`\n`;
  return [...contentChunks(text, 16), { type: 'finish', reason: 'stop' }];
}

interface Measured {
  wallMs: number;
  results: TaskResult[];
}

async function measure(concurrency: number, baseUrl: string, count = TASKS): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'duet-bench-eval-'));
  try {
    const { launcher } = await chooseServerLauncher({ python: PYTHON, sandbox: 'auto', allowUnsandboxed: true });
    const contestant: Contestant = { id: 'm,m', pair: 'm,m', mode: 'relay', models: { A: { id: 'm', baseUrl }, B: { id: 'm', baseUrl } } };
    const runner = new EvalRunner({
      dir,
      source: 'bench',
      tasks: tasks(count),
      contestants: [contestant],
      settings: { required: 2, maxTurns: 2, cellTimeoutMs: 30_000 },
      runtime: { newKernel: localKernels({ python: PYTHON, launcher, log: silentLogger }), log: silentLogger },
      concurrency,
      // The scripted server answers at once; queueing it would measure the queue, not Duet.
      serverConcurrency: concurrency,
    });
    const started = performance.now();
    const outcome = await runner.run();
    const wallMs = performance.now() - started;
    const unsolved = outcome.results.filter((r) => r.status !== 'judged' || !r.solved).length;
    if (unsolved > 0) throw new Error(`${unsolved} of ${count} scripted tasks were not solved; the figures would mean nothing`);
    return { wallMs, results: outcome.results };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Wall time of a task less the time its model, its queue and its kernels took. */
const ownMs = (r: TaskResult): number => Math.max(0, r.wallMs - r.timing.modelMs - r.timing.queueMs - r.timing.kernelMs);

export async function benchEval(): Promise<BenchSection> {
  const server = await ScriptedModelServer.start({ models: ['m'], script: (req) => answer(req.messages.find((m) => m.role === 'user')?.content ?? '') });
  try {
    // The first kernels of a process start slower (files not cached yet): not what either figure is about.
    await measure(1, server.baseUrl, 3);
    const one = await measure(1, server.baseUrl);
    const four = await measure(4, server.baseUrl);
    const rows: BenchRow[] = [
      { name: `${TASKS} tasks, concurrency 1: wall time`, duet: `${(one.wallMs / 1000).toFixed(1)} s`, note: `${ms(one.wallMs / TASKS)} a task. ${NO_PEER}` },
      { name: `${TASKS} tasks, concurrency 4: wall time`, duet: `${(four.wallMs / 1000).toFixed(1)} s`, note: `${ms(four.wallMs / TASKS)} a task. ${NO_PEER}` },
      { name: 'speed-up from concurrency 4', duet: `${(one.wallMs / four.wallMs).toFixed(2)}×`, note: 'Bounded by the cores: kernel starts and Python runs share them.' },
      {
        name: "Duet's own time per task, concurrency 1 (median)",
        duet: ms(median(one.results.map(ownMs))),
        note: 'Wall time less model, queue and kernel time (kernel starts, cells, the judge). The model answers at once.',
      },
      { name: "Duet's own time per task, concurrency 4 (median)", duet: ms(median(four.results.map(ownMs))), note: 'The same, four tasks at a time: it includes waiting for a core, as four tasks share the machine.' },
      {
        name: 'kernel time per task, concurrency 1 (median)',
        duet: ms(median(one.results.map((r) => r.timing.kernelMs))),
        note: "Two kernel starts (the run's and the judge's) and their cells: most of a task's time.",
      },
    ];
    return { title: 'Eval overhead (duet eval)', rows };
  } finally {
    await server.close();
  }
}
