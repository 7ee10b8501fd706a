/**
 * Runs cells in the kernel one at a time, in the order they were asked for, and
 * writes what happens into the document: outputs as they arrive, the running
 * phase, test status and the green count. The cell time limit lives here: past
 * it the cell is interrupted, and if the kernel does not answer it is restarted.
 */
import { KernelDiedError, OutputArea, type ErrorOutput, type KernelLogger, type KernelSession } from '@duet/kernel';
import type { NotebookDocument } from '../notebook/document.ts';
import { outputsText } from './feedback.ts';
import { testStatusFor } from './test-status.ts';
import type { CellOutcome } from './types.ts';

export interface CellRunnerOptions {
  doc: NotebookDocument;
  kernel: KernelSession;
  cellTimeoutMs: number;
  log: KernelLogger;
  /** How long an interrupted cell may take to stop before the kernel is restarted. */
  interruptGraceMs?: number;
}

interface QueueItem {
  id: string;
  resolve: (o: CellOutcome) => void;
  done: Promise<CellOutcome>;
}

export class CellRunner {
  readonly #o: Required<CellRunnerOptions>;
  readonly #queue: QueueItem[] = [];
  #current: string | null = null;
  #pumping = false;
  readonly #idleWaiters: (() => void)[] = [];

  constructor(opts: CellRunnerOptions) {
    this.#o = { interruptGraceMs: 5000, ...opts };
    opts.doc.setKernel(opts.kernel.state);
    opts.kernel.onState((s) => opts.doc.setKernel(s));
  }

  get kernel(): KernelSession {
    return this.#o.kernel;
  }

  /** The cell running now, if any. */
  get current(): string | null {
    return this.#current;
  }

  /** Queues a cell; resolves when it has run (or was dropped from the queue). */
  run(id: string): Promise<CellOutcome> {
    const { doc } = this.#o;
    // Asked twice before it ran: one run answers both.
    const existing = this.#queue.find((q) => q.id === id);
    if (existing) return existing.done;
    doc.setRuntime(id, { phase: 'queued' });
    let resolve: (o: CellOutcome) => void = () => {};
    const done = new Promise<CellOutcome>((r) => (resolve = r));
    this.#queue.push({ id, resolve, done });
    void this.#pump();
    return done;
  }

  /** Queues every code and test cell in document order and waits for them. */
  async runAll(): Promise<CellOutcome[]> {
    const ids = this.#o.doc.cells.filter((c) => c.cellType === 'code' && (c.duet.role === 'code' || c.duet.role === 'test') && !c.duet.note?.startsWith('Not run')).map((c) => c.id);
    return Promise.all(ids.map((id) => this.run(id)));
  }

  /** Drops every queued cell: each ends `not-run`. The running cell goes on. */
  cancelQueued(): void {
    const dropped = this.#queue.splice(0);
    for (const q of dropped) {
      const cell = this.#o.doc.cell(q.id);
      this.#o.doc.setRuntime(q.id, { phase: 'idle' });
      if (cell?.duet.role === 'test') this.#o.doc.setCellMeta(q.id, { ...cell.duet, test: { status: 'not-run' } });
      q.resolve({ id: q.id, kind: cell?.duet.role === 'test' ? 'test' : 'code', status: 'not-run', ...(cell?.duet.role === 'test' ? { testStatus: 'not-run' as const } : {}), text: '' });
    }
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (!this.#pumping && this.#queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.#idleWaiters.push(r));
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let item = this.#queue.shift(); item; item = this.#queue.shift()) {
        this.#current = item.id;
        let outcome: CellOutcome;
        try {
          outcome = await this.#execute(item.id);
        } catch (err) {
          this.#o.log.error({ cell: item.id, err: String(err) }, 'cell run failed');
          outcome = { id: item.id, kind: 'code', status: 'error', text: String(err) };
        }
        this.#current = null;
        item.resolve(outcome);
      }
    } finally {
      this.#pumping = false;
      for (const w of this.#idleWaiters.splice(0)) w();
    }
  }

  async #execute(id: string): Promise<CellOutcome> {
    const { doc, kernel, log } = this.#o;
    const cell = doc.cell(id);
    if (!cell) return { id, kind: 'code', status: 'not-run', text: '' };
    const kind = cell.duet.role === 'test' ? 'test' : 'code';
    const source = cell.source;
    if (kernel.state === 'dead' || kernel.state === 'shutdown') await this.#restart('the kernel was not running');
    doc.clearOutputs(id);
    const startedAt = Date.now();
    doc.setRuntime(id, { phase: 'running', startedAt });
    const area = new OutputArea();
    let status: CellOutcome['status'] = 'ok';
    let result: Awaited<ReturnType<KernelSession['run']>>['result'] = { status: 'error', executionCount: null };
    const timer = new CellTimer(this.#o.cellTimeoutMs, this.#o.interruptGraceMs, kernel, log);
    try {
      const execution = kernel.execute(source, { onEvent: (ev) => doc.applyExecuteEvent(id, area, ev) });
      timer.start();
      result = await Promise.race([execution.result, timer.gaveUp]);
    } catch (err) {
      if (!(err instanceof KernelDiedError) && !(err instanceof KernelGaveUp)) throw err;
      status = timer.fired ? 'timeout' : 'died';
      await this.#restart(status === 'timeout' ? 'a cell ran past the time limit and did not stop' : 'the kernel died');
    } finally {
      timer.clear();
    }
    if (timer.fired && status === 'ok') status = 'timeout';
    else if (status === 'ok' && result.status !== 'ok') status = 'error';
    const secs = Math.round(this.#o.cellTimeoutMs / 1000);
    if (status === 'timeout') {
      this.#appendError(id, area, 'CellTimeout', `Duet stopped this cell: it ran longer than the ${secs} s cell time limit (--cell-timeout).`);
      result = { status: 'error', executionCount: result.executionCount, ename: 'CellTimeout' };
    } else if (status === 'died') {
      this.#appendError(id, area, 'KernelDied', 'The kernel died while running this cell (memory or another limit, or the code ended the process). It was restarted: variables from earlier cells are gone; run them again.');
      result = { status: 'error', executionCount: null, ename: 'KernelDied' };
    }
    doc.setOutputs(id, [...area.outputs], result.executionCount);
    doc.setRuntime(id, { phase: 'idle', startedAt: null, lastDurationMs: Date.now() - startedAt });
    const outcome: CellOutcome = { id, kind, status, text: outputsText(area.outputs) };
    const current = doc.cell(id);
    if (kind === 'test' && current) {
      outcome.testStatus = testStatusFor(source, result, area.outputs);
      const { note: _oldNote, ...duet } = current.duet;
      const noAssert = result.status === 'ok' && outcome.testStatus === 'not-run';
      doc.setCellMeta(id, { ...duet, test: { status: outcome.testStatus }, ...(noAssert ? { note: NO_ASSERT_NOTE } : {}) });
      doc.setMeta({ passes: doc.cells.filter((c) => c.duet.role === 'test' && c.duet.test?.status === 'passed').length });
    }
    log.info({ cell: id, kind, status, testStatus: outcome.testStatus, ms: Date.now() - startedAt }, 'cell ran');
    return outcome;
  }

  #appendError(id: string, area: OutputArea, ename: string, evalue: string): void {
    const output: ErrorOutput = { output_type: 'error', ename, evalue, traceback: [`${ename}: ${evalue}`] };
    this.#o.doc.applyExecuteEvent(id, area, { kind: 'output', output });
  }

  async #restart(why: string): Promise<void> {
    const { doc, kernel, log } = this.#o;
    log.warn({ why }, 'restarting kernel');
    try {
      await kernel.restart();
      doc.notice('warning', `The kernel was restarted because ${why}. Variables from earlier cells are gone.`);
    } catch (err) {
      doc.notice('error', `The kernel could not be restarted: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  }
}

class KernelGaveUp extends Error {}

const NO_ASSERT_NOTE = 'This test has no assert statement, so it proves nothing and does not count as green.';

/** Interrupts at the limit; gives up on the kernel when the interrupt does not help. */
class CellTimer {
  fired = false;
  #timers: NodeJS.Timeout[] = [];
  #reject: (e: Error) => void = () => {};
  readonly gaveUp: Promise<never>;

  constructor(
    readonly limitMs: number,
    readonly graceMs: number,
    readonly kernel: KernelSession,
    readonly log: KernelLogger,
  ) {
    this.gaveUp = new Promise<never>((_, reject) => (this.#reject = reject));
    this.gaveUp.catch(() => undefined);
  }

  start(): void {
    this.#timers.push(
      setTimeout(() => {
        this.fired = true;
        this.log.warn({ limitMs: this.limitMs }, 'cell time limit reached; interrupting');
        void this.kernel.interrupt();
        this.#timers.push(setTimeout(() => this.#reject(new KernelGaveUp('interrupt did not stop the cell')), this.graceMs));
      }, this.limitMs),
    );
  }

  clear(): void {
    for (const t of this.#timers) clearTimeout(t);
  }
}
