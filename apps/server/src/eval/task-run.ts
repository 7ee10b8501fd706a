/**
 * One task for one contestant: an ordinary Duet run in a kernel of its own, its
 * notebook written beside the others, then the judge in a fresh kernel. A stop
 * ends it without a result, so a rerun does it again; anything else ends in a
 * result, errors included.
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { KernelConnection } from '@duet/kernel';
import { CellRunner, GenerationController, type RunSummary } from '../controller/index.ts';
import { displayUrl } from '../llm/index.ts';
import { Autosaver, NotebookDocument } from '../notebook/index.ts';
import { judgeCode } from './judge.ts';
import { notebookFile, safeName, workdirFor } from './paths.ts';
import { modelRef, type Contestant, type EvalRuntime, type EvalSettings } from './plan.ts';
import type { RunFacts, TaskResult } from './result.ts';
import type { ChatClock, ChatStream, ServerQueue } from './server-queue.ts';
import { hiddenTestCode, type EvalTask } from './task.ts';

export interface TaskRunDeps {
  /** The eval folder. */
  dir: string;
  runtime: EvalRuntime;
  settings: EvalSettings;
  queue: ServerQueue;
  chat: ChatStream;
  /** The kernel inventory line for the system prompt, read once for the whole eval. */
  inventory: (kernel: KernelConnection) => Promise<string | undefined>;
  now?: () => number;
}

/** A result, or nothing because the task was stopped before it finished. */
export type TaskRunOutcome = { kind: 'done'; result: TaskResult } | { kind: 'stopped' };

export class TaskRun {
  readonly #task: EvalTask;
  readonly #contestant: Contestant;
  readonly #deps: TaskRunDeps;
  readonly #stop = new AbortController();
  #controller: GenerationController | null = null;

  constructor(task: EvalTask, contestant: Contestant, deps: TaskRunDeps) {
    this.#task = task;
    this.#contestant = contestant;
    this.#deps = deps;
  }

  /** Stops the run (its streams, its kernel) and the judging; {@link start} then resolves to `stopped`. */
  stop(): void {
    this.#stop.abort(new Error('the eval was stopped'));
    this.#controller?.stop();
  }

  async start(): Promise<TaskRunOutcome> {
    const now = this.#deps.now ?? Date.now;
    const started = now();
    const clock: ChatClock = { queueMs: 0, modelMs: 0 };
    const kernelTime = { ms: 0 };
    const notebook = notebookFile(this.#contestant.id, this.#task.id);
    const finish = (fields: ResultFields): TaskRunOutcome => {
      if (this.#stop.signal.aborted) return { kind: 'stopped' };
      return { kind: 'done', result: this.#result(fields, { started, now, clock, kernelMs: kernelTime.ms, notebook }) };
    };

    let summary: RunSummary;
    let doc: NotebookDocument;
    try {
      ({ summary, doc } = await this.#run(notebook, clock, kernelTime, now));
    } catch (err) {
      return finish({ status: 'error', stage: 'setup', error: messageOf(err), run: null });
    }
    const run = factsOf(summary);
    if (summary.halted === 'stopped') return { kind: 'stopped' };
    if (summary.halted === 'error') return finish({ status: 'error', stage: 'run', error: doc.run.error ?? 'the run ended with an error', run });

    const code = doc.cells.filter(isReplayedCode).map((c) => c.source);
    const judgeStarted = now();
    try {
      const judge = await judgeCode(code, hiddenTestCode(this.#task), {
        newKernel: this.#deps.runtime.newKernel,
        log: this.#deps.runtime.log,
        cellTimeoutMs: this.#deps.settings.cellTimeoutMs,
        signal: this.#stop.signal,
      });
      kernelTime.ms += now() - judgeStarted;
      const claimed = summary.halted === 'tests-passed';
      return finish({ status: 'judged', claimed, solved: judge.verdict === 'passed', run, judge });
    } catch (err) {
      kernelTime.ms += now() - judgeStarted;
      return finish({ status: 'error', stage: 'judge', error: messageOf(err), run });
    }
  }

  /** The run itself, in its own kernel; the notebook is saved as it goes and once more at the end. */
  async #run(notebook: string, clock: ChatClock, kernelTime: { ms: number }, now: () => number): Promise<{ summary: RunSummary; doc: NotebookDocument }> {
    const { dir, runtime, settings } = this.#deps;
    const path = join(dir, notebook);
    const workdir = join(dir, workdirFor(this.#contestant.id, this.#task.id));
    // A rerun of a task that ended in an error starts from an empty folder.
    await rm(workdir, { recursive: true, force: true });
    await mkdir(workdir, { recursive: true });
    await mkdir(dirname(path), { recursive: true });
    const kernel = runtime.newKernel(workdir);
    const stopKernel = (): void => void kernel.shutdown().catch(() => undefined);
    this.#stop.signal.addEventListener('abort', stopKernel, { once: true });
    try {
      const kernelStarted = now();
      await kernel.start();
      kernelTime.ms += now() - kernelStarted;
      this.#stop.signal.throwIfAborted();
      const doc = new NotebookDocument(safeName(this.#task.id));
      // Cells run while the models stream; their run time is the kernel's.
      const running = new Set<string>();
      const offTiming = doc.on((e) => {
        if (e.type !== 'cell-runtime') return;
        if (e.runtime.phase === 'running') running.add(e.id);
        else if (running.delete(e.id) && e.runtime.lastDurationMs !== null) kernelTime.ms += e.runtime.lastDurationMs;
      });
      const saver = new Autosaver(doc, path, 500, (err) => runtime.log.error({ err: String(err), notebook: path }, 'eval notebook autosave failed'));
      const runner = new CellRunner({ doc, kernel, cellTimeoutMs: settings.cellTimeoutMs, log: runtime.log });
      const controller = new GenerationController({
        doc,
        runner,
        log: runtime.log,
        chat: this.#deps.queue.wrap(this.#deps.chat, clock, now),
        inventory: () => this.#deps.inventory(kernel),
      });
      this.#controller = controller;
      try {
        const summary = await controller.start({
          prompt: this.#task.prompt,
          models: this.#contestant.models,
          required: settings.required,
          maxTurns: settings.maxTurns,
          mode: this.#contestant.mode,
          ...(settings.idleTimeoutMs !== undefined ? { idleTimeoutMs: settings.idleTimeoutMs } : {}),
          ...(settings.firstTokenTimeoutMs !== undefined ? { firstTokenTimeoutMs: settings.firstTokenTimeoutMs } : {}),
          ...(settings.instructions !== undefined ? { instructions: settings.instructions } : {}),
          ...(settings.first !== undefined ? { first: settings.first } : {}),
        });
        return { summary, doc };
      } finally {
        this.#controller = null;
        offTiming();
        runner.dispose();
        await saver.close();
      }
    } finally {
      this.#stop.signal.removeEventListener('abort', stopKernel);
      await kernel.shutdown().catch(() => undefined);
    }
  }

  #result(fields: ResultFields, t: { started: number; now: () => number; clock: ChatClock; kernelMs: number; notebook: string }): TaskResult {
    const { A, B } = this.#contestant.models;
    const common = {
      v: 1 as const,
      task: this.#task.id,
      contestant: this.#contestant.id,
      pair: this.#contestant.pair,
      mode: this.#contestant.mode,
      models: { A: modelRef(A, displayUrl), B: modelRef(B, displayUrl) },
      wallMs: t.now() - t.started,
      timing: { modelMs: t.clock.modelMs, queueMs: t.clock.queueMs, kernelMs: t.kernelMs },
      notebook: fields.status === 'error' && fields.stage === 'setup' ? null : t.notebook,
      finishedAt: new Date().toISOString(),
    };
    return { ...common, ...fields };
  }
}

/** The part of a result this run decides; the rest is common to every result. */
type ResultFields = DistributiveOmit<TaskResult, 'v' | 'task' | 'contestant' | 'pair' | 'mode' | 'models' | 'wallMs' | 'timing' | 'notebook' | 'finishedAt'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Code cells a model wrote that Duet ran (a block in another language, or cut off, never ran). */
function isReplayedCode(c: NotebookDocument['cells'][number]): boolean {
  return c.cellType === 'code' && c.duet.role === 'code' && !c.duet.note?.startsWith('Not run');
}

function factsOf(s: RunSummary): RunFacts {
  return { halted: s.halted, turns: s.turns, passes: s.passes, required: s.required, firstGreenMs: s.firstGreenMs, usage: { ...s.usage } };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
