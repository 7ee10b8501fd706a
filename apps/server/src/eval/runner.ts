/**
 * Runs an eval: every task for every contestant, `concurrency` at a time, each in
 * its own kernel, requests queued per model server. Results already in the folder
 * are kept and not run again (a task that ended in an error is tried again); each
 * new result is appended the moment it is judged. Stopping keeps every finished task.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { KernelConnection } from '@duet/kernel';
import { inventoryLine, readKernelInventory } from '../controller/index.ts';
import { streamChat } from '../llm/index.ts';
import type { EvalReport } from '../protocol/evals.ts';
import { evalName } from './paths.ts';
import { mergeManifest, readManifest, writeManifest, type EvalManifest } from './manifest.ts';
import type { Contestant, EvalRuntime, EvalSettings } from './plan.ts';
import { writeReportFile } from './report-file.ts';
import { latestResults, resultKey, type TaskResult } from './result.ts';
import { readResults, ResultsWriter, RESULTS_FILE } from './results-file.ts';
import { ServerQueue, type ChatStream } from './server-queue.ts';
import { buildReport } from './summary.ts';
import { TaskRun } from './task-run.ts';
import type { EvalTask } from './task.ts';

export interface EvalRunOptions {
  /** The eval folder: results, notebooks, report. */
  dir: string;
  /** Where the tasks came from (a file, or `builtin`), for the report. */
  source: string;
  tasks: readonly EvalTask[];
  contestants: readonly Contestant[];
  settings: EvalSettings;
  runtime: EvalRuntime;
  /** Tasks at once, each with its own kernel. */
  concurrency: number;
  /** Requests one model server answers at once. */
  serverConcurrency: number;
  /** The chat stream; tests and benchmarks may pass their own. */
  chat?: ChatStream;
  onEvent?: (event: EvalEvent) => void;
  now?: () => number;
}

/** What happens while an eval runs, for a progress display. */
export type EvalEvent =
  /** Before the first task: what the folder already had and what is left to do. */
  | { type: 'planned'; total: number; done: number; todo: number; retrying: number; unreadable: number }
  | { type: 'task-started'; task: string; contestant: string }
  | { type: 'task-finished'; result: TaskResult; finished: number; todo: number; results: ReadonlyMap<string, TaskResult> }
  | { type: 'stopping'; running: number };

/** How an eval ended. */
export interface EvalOutcome {
  /** Results this invocation added. */
  ran: number;
  /** True when it was stopped before every task had a result. */
  stopped: boolean;
  manifest: EvalManifest;
  /** The latest result of every task and contestant in the folder, task by task in the manifest's order. */
  results: TaskResult[];
  report: EvalReport;
}

export class EvalRunner {
  readonly #o: EvalRunOptions;
  readonly #running = new Set<TaskRun>();
  #stopped = false;

  constructor(opts: EvalRunOptions) {
    if (!(opts.concurrency >= 1)) throw new RangeError(`an eval needs a concurrency of at least 1, got ${opts.concurrency}`);
    this.#o = opts;
  }

  /** Stops starting tasks and stops the running ones; {@link run} then resolves with what finished. */
  stop(): void {
    if (this.#stopped) return;
    // Queued tasks see the flag and return at once.
    this.#stopped = true;
    this.#o.onEvent?.({ type: 'stopping', running: this.#running.size });
    for (const run of this.#running) run.stop();
  }

  async run(): Promise<EvalOutcome> {
    const o = this.#o;
    const now = o.now ?? Date.now;
    await mkdir(o.dir, { recursive: true });
    const resultsPath = join(o.dir, RESULTS_FILE);
    const read = await readResults(resultsPath);
    const latest = latestResults(read.results);
    const manifest = mergeManifest(
      await readManifest(o.dir),
      {
        source: o.source,
        settings: { passes: o.settings.required, maxTurns: o.settings.maxTurns },
        tasks: o.tasks,
        contestants: o.contestants.map((c) => ({ id: c.id, pair: c.pair, mode: c.mode, models: { A: c.models.A.id, B: c.models.B.id } })),
      },
      new Date(now()),
    );
    await writeManifest(o.dir, manifest);
    const writer = await ResultsWriter.open(resultsPath);

    // Task by task, every contestant in turn, so pass rates can be compared from the first results on.
    const jobs = o.tasks.flatMap((task) => o.contestants.map((contestant) => ({ task, contestant })));
    const todo = jobs.filter((j) => latest.get(resultKey(j.contestant.id, j.task.id))?.status !== 'judged');
    const retrying = todo.filter((j) => latest.has(resultKey(j.contestant.id, j.task.id))).length;
    o.onEvent?.({ type: 'planned', total: jobs.length, done: jobs.length - todo.length, todo: todo.length, retrying, unreadable: read.skipped });

    const queue = new ServerQueue(o.serverConcurrency);
    let inventory: Promise<string | undefined> | null = null;
    // The kernels are all alike: what the first one has installed stands for all of them.
    const inventoryOf = (kernel: KernelConnection): Promise<string | undefined> =>
      (inventory ??= readKernelInventory(kernel, o.runtime.log).then(inventoryLine, () => undefined));
    const limit = pLimit(o.concurrency);
    let ran = 0;
    await Promise.all(
      todo.map((job) =>
        limit(async () => {
          if (this.#stopped) return;
          const run = new TaskRun(job.task, job.contestant, {
            dir: o.dir,
            runtime: o.runtime,
            settings: o.settings,
            queue,
            chat: o.chat ?? streamChat,
            inventory: inventoryOf,
            ...(o.now ? { now: o.now } : {}),
          });
          this.#running.add(run);
          o.onEvent?.({ type: 'task-started', task: job.task.id, contestant: job.contestant.id });
          try {
            const outcome = await run.start();
            if (outcome.kind === 'stopped') return;
            await writer.append(outcome.result);
            latest.set(resultKey(outcome.result.contestant, outcome.result.task), outcome.result);
            ran += 1;
            o.onEvent?.({ type: 'task-finished', result: outcome.result, finished: ran, todo: todo.length, results: latest });
          } finally {
            this.#running.delete(run);
          }
        }),
      ),
    );

    const finalManifest = { ...manifest, updatedAt: new Date(now()).toISOString() };
    await writeManifest(o.dir, finalManifest);
    // In the manifest's order, task by task, whatever order they finished in.
    const taskAt = new Map(finalManifest.tasks.map((t, i) => [t.id, i]));
    const contestantAt = new Map(finalManifest.contestants.map((c, i) => [c.id, i]));
    const at = (r: TaskResult): number => (taskAt.get(r.task) ?? taskAt.size) * 1e4 + (contestantAt.get(r.contestant) ?? 0);
    const results = [...latest.values()].sort((a, b) => at(a) - at(b));
    const report = buildReport(evalName(o.dir), finalManifest, results);
    await writeReportFile(o.dir, report);
    const complete = todo.every((j) => latest.get(resultKey(j.contestant.id, j.task.id)) !== undefined);
    return { ran, stopped: this.#stopped && !complete, manifest: finalManifest, results, report };
  }
}
