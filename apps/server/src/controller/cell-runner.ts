/**
 * Runs cells in the kernel one at a time, in the order they were asked for, and
 * writes what happens into the document: outputs as they arrive, the running
 * phase, test status and the green count. The cell time limit lives here: past
 * it the cell is interrupted, and if the kernel does not answer it is restarted.
 * It also mirrors the kernel's state into the document, as `busy` when the kernel
 * burns CPU with no cell running (a thread a cell left behind), if asked to watch.
 */
import { KernelDiedError, KernelLostError, type ErrorOutput, type ExecuteResult, type KernelConnection, type KernelLogger, type NbOutput, type OutputArea } from '@duet/kernel';
import type { NotebookDocument } from '../notebook/document.ts';
import { BackgroundWatch } from './background-watch.ts';
import { DiskWatch, formatLimit } from './disk-watch.ts';
import { outputsText } from './feedback.ts';
import { outputCutNote } from './output-cut.ts';
import { testStatusFor } from './test-status.ts';
import type { CellOutcome } from './types.ts';

export interface CellRunnerOptions {
  doc: NotebookDocument;
  kernel: KernelConnection;
  cellTimeoutMs: number;
  log: KernelLogger;
  /** How long an interrupted cell may take to stop before the kernel is restarted. */
  interruptGraceMs?: number;
  /**
   * How often to sample the kernel's CPU while no cell runs, to tell the document
   * when it is busy outside any cell; 0 (the default) does not watch.
   */
  backgroundSampleMs?: number;
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
  #timer: CellTimer | null = null;
  /** Stop was asked for the current cell before its timer existed: the timer starts stopped. */
  #stopAsked = false;
  #pumping = false;
  readonly #idleWaiters: (() => void)[] = [];
  readonly #outcomeListeners = new Set<(o: CellOutcome) => void>();
  readonly #unsubscribe: () => void;
  readonly #background: BackgroundWatch | null;

  constructor(opts: CellRunnerOptions) {
    this.#o = { interruptGraceMs: 5000, backgroundSampleMs: 0, ...opts };
    this.#background =
      this.#o.backgroundSampleMs > 0
        ? new BackgroundWatch({ kernel: opts.kernel, intervalMs: this.#o.backgroundSampleMs, quiet: () => !this.#pumping && this.#queue.length === 0, onChange: () => this.#mirrorKernel() })
        : null;
    this.#mirrorKernel();
    this.#unsubscribe = opts.kernel.onState(() => {
      // Whatever the kernel did to change state, its CPU until now is not a background thread's.
      this.#background?.reset();
      this.#mirrorKernel();
    });
    this.#background?.start();
  }

  /** Stops mirroring the kernel's state into the document; for a kernel that outlives this runner. */
  dispose(): void {
    this.#unsubscribe();
    this.#background?.stop();
  }

  /** True when the kernel burns CPU with no cell running: a thread or process a cell started is still at work. */
  get busyOutsideCells(): boolean {
    return this.#background?.busy ?? false;
  }

  /** The kernel's state as the document shows it: `busy` also when it is busy outside any cell. */
  #mirrorKernel(): void {
    const state = this.#o.kernel.state;
    this.#o.doc.setKernel(state === 'idle' && this.busyOutsideCells ? 'busy' : state);
  }

  get kernel(): KernelConnection {
    return this.#o.kernel;
  }

  /** The cell running now, if any. */
  get current(): string | null {
    return this.#current;
  }

  /**
   * Calls `fn` as each cell finishes, before the next queued cell starts, so a
   * listener can still drop the queue (the controller halts on the last green test).
   */
  onOutcome(fn: (o: CellOutcome) => void): () => void {
    this.#outcomeListeners.add(fn);
    return () => this.#outcomeListeners.delete(fn);
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
    const ids = this.#o.doc.cells.filter((c) => c.cellType === 'code' && (c.duet.role === 'code' || c.duet.role === 'test') && !c.duet.unrunnable).map((c) => c.id);
    return Promise.all(ids.map((id) => this.run(id)));
  }

  /**
   * Stops the running cell (a KeyboardInterrupt in it): the interrupt is sent again
   * every second until the cell ends, and the kernel is restarted if it does not end
   * within the grace period. A cell taken from the queue but not yet sent is stopped
   * as soon as it is. With no cell running, interrupts the kernel once: there is no
   * cell to wait for.
   */
  interruptCurrent(): void {
    if (this.#timer) this.#timer.stop();
    else if (this.#current !== null) this.#stopAsked = true;
    else void this.#o.kernel.interrupt().catch(() => undefined);
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
        this.#stopAsked = false;
        let outcome: CellOutcome;
        try {
          outcome = await this.#execute(item.id);
        } catch (err) {
          this.#o.log.error({ cell: item.id, err: String(err) }, 'cell run failed');
          outcome = this.#failed(item.id, err);
        }
        this.#current = null;
        for (const fn of this.#outcomeListeners) fn(outcome);
        item.resolve(outcome);
      }
    } finally {
      this.#pumping = false;
      for (const w of this.#idleWaiters.splice(0)) w();
    }
  }

  /** The outcome of a cell whose run threw: an error of its own kind, its runtime settled. */
  #failed(id: string, err: unknown): CellOutcome {
    const { doc } = this.#o;
    const cell = doc.cell(id);
    const text = err instanceof Error ? err.message : String(err);
    if (!cell) return { id, kind: 'code', status: 'error', text };
    doc.setRuntime(id, { phase: 'idle' });
    if (cell.duet.role !== 'test') return { id, kind: 'code', status: 'error', text };
    doc.setCellMeta(id, { ...cell.duet, test: { status: 'error' } });
    return { id, kind: 'test', status: 'error', testStatus: 'error', text };
  }

  async #execute(id: string): Promise<CellOutcome> {
    const { doc, kernel, log } = this.#o;
    const cell = doc.cell(id);
    if (!cell) return { id, kind: 'code', status: 'not-run', text: '' };
    const kind = cell.duet.role === 'test' ? 'test' : 'code';
    const source = cell.source;
    if (kernel.state === 'dead' || kernel.state === 'shutdown') await this.#restart('the kernel was not running');
    doc.clearOutputs(id);
    this.#background?.reset();
    const startedAt = Date.now();
    doc.setRuntime(id, { phase: 'running', startedAt });
    const area = doc.outputArea((hit) => outputCutNote(hit, doc.limits));
    let status: CellOutcome['status'] = 'ok';
    let result: ExecuteResult = { status: 'error', executionCount: null };
    const timer = new CellTimer(this.#o.cellTimeoutMs, this.#o.interruptGraceMs, kernel, log);
    this.#timer = timer;
    let stoppedByRestart = false;
    let lost: KernelLostError | null = null;
    // A sandboxed session measures its own writes around the cell; a kernel on a gateway writes to a disk Duet cannot measure.
    const disk =
      kernel.location.kind === 'local' && !kernel.keepsDiskLimit
        ? new DiskWatch(kernel.workdir, kernel.limits.diskBytes, () => {
            log.warn({ cell: id, limitBytes: kernel.limits.diskBytes }, 'workdir disk limit passed; stopping the cell');
            timer.stop();
          })
        : null;
    try {
      // Past the kernel's own disk limit the session stops the cell through the timer, so that stop escalates too.
      const done = kernel.send(source, { onEvent: (ev) => doc.applyExecuteEvent(id, area, ev), stopCell: () => timer.stop() });
      // Settled by the race below; a rejection after the kernel was given up on is not news.
      done.catch(() => undefined);
      timer.start();
      if (this.#stopAsked) timer.stop();
      disk?.start();
      result = await Promise.race([done, timer.gaveUp]);
    } catch (err) {
      if (!(err instanceof KernelDiedError) && !(err instanceof KernelGaveUp)) throw err;
      stoppedByRestart = timer.stopped && err instanceof KernelGaveUp;
      if (err instanceof KernelLostError) lost = err;
      status = timer.fired ? 'timeout' : stoppedByRestart ? 'error' : 'died';
      await this.#restart(
        status === 'timeout' ? 'a cell ran past the time limit and did not stop' : stoppedByRestart ? 'a stopped cell did not respond to the interrupt' : lost ? 'the remote kernel was lost' : 'the kernel died',
      );
    } finally {
      timer.clear();
      disk?.stop();
      this.#timer = null;
    }
    // A quick cell may have written past the limit between two looks.
    if (disk && !disk.exceeded) await disk.check();
    if (disk?.exceeded) {
      area.removeWhere(isInterrupt);
      this.#appendError(
        area,
        'DiskLimit',
        `Duet stopped this cell: the working folder ${kernel.workdir} holds more than its ${formatLimit(kernel.limits.diskBytes)} limit. Delete files there to go on.`,
      );
      if (status === 'ok') status = 'error';
      result = { status: 'error', executionCount: result.executionCount, ename: 'DiskLimit' };
      stoppedByRestart = false;
    } else if (timer.stopped && !stoppedByRestart && !area.outputs.some((o) => o.output_type === 'error')) {
      // Stopped before its code began: the kernel aborts the request and says nothing, so Duet says it.
      this.#appendError(area, 'CellStopped', 'Duet stopped this cell before it finished (Stop or Interrupt); its code may not have run.');
      if (status === 'ok') status = 'error';
      result = { status: 'error', executionCount: result.executionCount, ename: 'CellStopped' };
    }
    if (stoppedByRestart) {
      this.#appendError(area, 'CellStopped', 'Duet stopped this cell; it did not respond to the interrupt, so the kernel was restarted: variables from earlier cells are gone.');
      result = { status: 'error', executionCount: null, ename: 'CellStopped' };
    }
    if (timer.fired && status === 'ok') status = 'timeout';
    else if (status === 'ok' && result.status !== 'ok') status = 'error';
    const secs = Number((this.#o.cellTimeoutMs / 1000).toFixed(1));
    if (status === 'timeout') {
      // The KeyboardInterrupt was Duet's own doing; the timeout error says what happened.
      area.removeWhere(isInterrupt);
      // No flag name: the browser shows this too. The outcome's `timeout` status lets the CLI name its flag.
      this.#appendError(area, 'CellTimeout', `Duet stopped this cell: it ran longer than the ${secs} s cell time limit.`);
      result = { status: 'error', executionCount: result.executionCount, ename: 'CellTimeout' };
    } else if (status === 'died' && lost) {
      this.#appendError(area, 'KernelLost', `The remote kernel was lost while running this cell (${lost.detail}). A new kernel was started on the gateway: variables from earlier cells are gone; run them again.`);
      result = { status: 'error', executionCount: null, ename: 'KernelLost' };
    } else if (status === 'died') {
      this.#appendError(area, 'KernelDied', 'The kernel died while running this cell (memory or another limit, or the code ended the process). It was restarted: variables from earlier cells are gone; run them again.');
      result = { status: 'error', executionCount: null, ename: 'KernelDied' };
    }
    doc.setOutputs(id, [...area.outputs], result.executionCount);
    doc.setRuntime(id, { phase: 'idle', startedAt: null, lastDurationMs: Date.now() - startedAt });
    const outcome: CellOutcome = { id, kind, status, text: outputsText(area.outputs) };
    const error = area.outputs.findLast((o): o is ErrorOutput => o.output_type === 'error');
    if (error) outcome.error = { ename: error.ename, evalue: error.evalue };
    const current = doc.cell(id);
    if (kind === 'test' && current) {
      outcome.testStatus = testStatusFor(source, result, area.outputs);
      const { note: _oldNote, ...duet } = current.duet;
      const noAssert = result.status === 'ok' && outcome.testStatus === 'not-run';
      doc.setCellMeta(id, { ...duet, test: { status: outcome.testStatus }, ...(noAssert ? { note: NO_ASSERT_NOTE } : {}) });
    }
    log.info({ cell: id, kind, status, testStatus: outcome.testStatus, ms: Date.now() - startedAt }, 'cell ran');
    return outcome;
  }

  /** Duet's own word on how the cell ended: kept even when the cell's output was cut; the document gets it with the final outputs. */
  #appendError(area: OutputArea, ename: string, evalue: string): void {
    const output: ErrorOutput = { output_type: 'error', ename, evalue, traceback: [`${ename}: ${evalue}`] };
    area.appendNote(output);
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

function isInterrupt(o: NbOutput): boolean {
  return o.output_type === 'error' && o.ename === 'KeyboardInterrupt';
}

const NO_ASSERT_NOTE = 'This test has no assert statement, so it proves nothing and does not count as green.';

/**
 * How often an interrupt is sent again while the cell it was meant for still runs.
 * Not too often: ipykernel drops the reply of a request interrupted before its code starts.
 */
const INTERRUPT_REPEAT_MS = 1000;

/**
 * Interrupts a cell at the time limit, or at once when asked to stop it, and gives up
 * on the kernel when that does not help. The interrupt is repeated until the cell
 * ends: one that reaches the kernel just before the cell starts is ignored there.
 */
class CellTimer {
  /** The time limit was reached. */
  fired = false;
  /** Someone stopped the cell. */
  stopped = false;
  #timers: NodeJS.Timeout[] = [];
  #interrupting = false;
  /** The cell is over: nothing may start interrupting the kernel any more. */
  #cleared = false;
  #reject: (e: Error) => void = () => {};
  readonly gaveUp: Promise<never>;

  constructor(
    readonly limitMs: number,
    readonly graceMs: number,
    readonly kernel: KernelConnection,
    readonly log: KernelLogger,
  ) {
    this.gaveUp = new Promise<never>((_, reject) => (this.#reject = reject));
    this.gaveUp.catch(() => undefined);
  }

  start(): void {
    if (this.#cleared) return;
    this.#timers.push(
      setTimeout(() => {
        if (this.#interrupting) return;
        this.fired = true;
        this.log.warn({ limitMs: this.limitMs }, 'cell time limit reached; interrupting');
        this.#interrupt();
      }, this.limitMs),
    );
  }

  /** Interrupts the cell now, as Stop does; once the cell is over, does nothing. */
  stop(): void {
    if (this.#interrupting || this.#cleared) return;
    this.stopped = true;
    this.#interrupt();
  }

  #interrupt(): void {
    this.#interrupting = true;
    const send = (): void => void this.kernel.interrupt().catch(() => undefined);
    send();
    const again = setInterval(send, INTERRUPT_REPEAT_MS);
    this.#timers.push(again);
    this.#timers.push(setTimeout(() => this.#reject(new KernelGaveUp('interrupt did not stop the cell')), this.graceMs));
  }

  /**
   * Ends the timer for good. A late stop() (the disk check after a quick cell) would
   * otherwise start an interval that interrupts whatever runs next, every second,
   * and keeps `duet run` from ever exiting.
   */
  clear(): void {
    this.#cleared = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
  }
}
