/**
 * A notebook that is open on the server: its document, the autosaver, its
 * kernel, the cell runner and the generation controller, and the browsers
 * watching it. The HTTP routes and the WebSocket commands both act through
 * the methods here, so they refuse and allow the same things.
 */
import type { KernelConnection } from '@duet/kernel';
import { currentGreens, isSettled, markStale, runStart, RunStartError, type CellRunner, type GenerationController, type ModelEndpoint, type RunKind, type RunOptions, type RunSummary } from '../controller/index.ts';
import { formatLimit } from '../controller/disk-watch.ts';
import type { Logger } from '../log.ts';
import type { Autosaver, NotebookDocument } from '../notebook/index.ts';
import type { CellRole, DuetCellMeta, ModelSlot, NotebookCell, NotebookSettings, ResumeRequest, RunMode, RunRecord, RunRequest } from '../protocol/index.ts';
import type { Detach } from './detach.ts';
import { SessionError } from './errors.ts';

export interface OpenNotebookParts {
  doc: NotebookDocument;
  autosaver: Autosaver;
  kernel: KernelConnection;
  runner: CellRunner;
  controller: GenerationController;
  log: Logger;
  /** Picks the endpoints of a run. */
  resolveModels: (req: RunRequest) => Promise<{ A: ModelEndpoint; B: ModelEndpoint }>;
  defaults: RunDefaults;
}

/** What a run takes from the server's configuration when its request does not say. */
export interface RunDefaults {
  /** Green tests that end a run. */
  required: number;
  maxTurns: number;
  idleTimeoutMs: number;
  firstTokenTimeoutMs: number;
  instructions: { A?: string; B?: string };
  mode: RunMode;
  first: ModelSlot;
}

/** A browser attached to this notebook, as the session sees it: something to detach. */
export interface AttachedClient {
  /** Ends the connection, saying why. */
  detach(why: Detach): void;
}

/** One open notebook and what acts on it; methods throw {@link SessionError} for what a client must change. */
export class OpenNotebook {
  readonly doc: NotebookDocument;
  readonly autosaver: Autosaver;
  readonly kernel: KernelConnection;
  readonly runner: CellRunner;
  readonly controller: GenerationController;
  readonly clients = new Set<AttachedClient>();
  /** Epoch ms of the last change or command; the idle sweep reads it. */
  lastActivity = Date.now();
  #run: Promise<RunSummary | null> | null = null;
  /** Cell runs started by hand, awaited on close. */
  readonly #manual = new Set<Promise<unknown>>();
  readonly #o: OpenNotebookParts;
  readonly #unsubscribe: () => void;

  constructor(parts: OpenNotebookParts) {
    this.#o = parts;
    this.doc = parts.doc;
    this.autosaver = parts.autosaver;
    this.kernel = parts.kernel;
    this.runner = parts.runner;
    this.controller = parts.controller;
    this.#unsubscribe = this.doc.on(() => {
      this.lastActivity = Date.now();
    });
    // A notebook opened from disk says how many of its latest request's tests are green now.
    this.#refreshGreens();
  }

  get name(): string {
    return this.doc.name;
  }

  /** A generation run is going on, or a cell is queued or running. */
  get busy(): boolean {
    return this.controller.active || this.runner.current !== null || this.#manual.size > 0;
  }

  /** The run in progress, if any: resolves with its summary (null if it failed to start). */
  get currentRun(): Promise<RunSummary | null> | null {
    return this.#run;
  }

  /** Starts a generation run on a new request; resolves once it has started (the run goes on). */
  async startRun(req: RunRequest): Promise<void> {
    await this.#launch('new', { ...settingsRequest(this.doc.meta.settings), ...definedFields(withRequired(req)) });
  }

  /** More turns on the latest request, with everything so far. */
  async continueRun(req: ResumeRequest = {}): Promise<void> {
    await this.#launch('continue', { ...this.#resumeRequest(), ...(req.maxTurns !== undefined ? { maxTurns: req.maxTurns } : {}) });
  }

  /** The latest turn again; the old one stays in the notebook, folded. */
  async retryTurn(): Promise<void> {
    await this.#launch('retry', { ...this.#resumeRequest(), maxTurns: 1 });
  }

  /** The next request starts a new conversation: the models will not see the cells above it. */
  newConversation(): void {
    this.lastActivity = Date.now();
    if (this.controller.active) throw new SessionError('conflict', 'A run is going on; stop it before starting a new conversation.');
    this.doc.setMeta({ contextFrom: '' });
  }

  /** Keeps the run settings in the notebook, where they are restored from when it opens. */
  setSettings(settings: NotebookSettings): void {
    this.lastActivity = Date.now();
    this.doc.setMeta({ settings });
  }

  /** Writes the notebook to disk now. */
  async save(): Promise<void> {
    this.lastActivity = Date.now();
    await this.autosaver.flush();
  }

  /** The settings of the notebook's latest run, for Continue and Retry. */
  #resumeRequest(): RunRequest {
    const runs = this.doc.meta.runs;
    if (!runs.some((r) => r.kind === 'new')) throw new SessionError('conflict', 'There is no run to go on with in this notebook: send a request first.');
    const last = runs.at(-1) as RunRecord;
    const settings = this.doc.meta.settings;
    return {
      prompt: '',
      modelA: last.models.A.id,
      modelB: last.models.B.id,
      required: last.required,
      ...(settings.maxTurns !== undefined ? { maxTurns: settings.maxTurns } : {}),
      mode: last.mode,
      ...(settings.instructionsA !== undefined ? { instructionsA: settings.instructionsA } : {}),
      ...(settings.instructionsB !== undefined ? { instructionsB: settings.instructionsB } : {}),
    };
  }

  async #launch(kind: RunKind, req: RunRequest): Promise<void> {
    this.lastActivity = Date.now();
    if (this.controller.active || this.#run) throw new SessionError('conflict', 'A run is already going on in this notebook; stop it first.');
    try {
      // Asked before anything starts, so a run that cannot start is refused, not accepted and then failed.
      runStart(this.doc.cells, this.doc.meta, { kind, prompt: req.prompt });
    } catch (err) {
      if (err instanceof RunStartError) throw new SessionError('conflict', err.message);
      throw err;
    }
    const pending = this.#o.resolveModels(req);
    // Claimed before the first await, so two requests cannot both start.
    this.#run = pending.then(
      () => null,
      () => null,
    );
    let models: { A: ModelEndpoint; B: ModelEndpoint };
    try {
      models = await pending;
    } catch (err) {
      this.#run = null;
      throw err;
    }
    const run = this.controller
      .start({ ...runOptions(req, models, this.#o.defaults, kind), kind })
      .catch((err: unknown) => {
        this.#o.log.error({ err: String(err) }, 'run failed to start');
        this.doc.notice('error', `The run could not start: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      })
      .finally(() => {
        if (this.#run === run) this.#run = null;
      });
    this.#run = run;
  }

  /** Stops the run, or interrupts the running cell when no run is going on. */
  stop(): void {
    this.lastActivity = Date.now();
    if (this.controller.active) this.controller.stop();
    else void this.interrupt().catch(() => undefined);
  }

  /** Queues one cell; resolves once it is queued. */
  runCell(id: string): void {
    this.lastActivity = Date.now();
    const cell = this.doc.cell(id);
    if (!cell) throw new SessionError('not-found', `There is no cell "${id}" in this notebook.`);
    if (cell.cellType !== 'code') throw new SessionError('invalid', 'Only code and test cells run; this is a markdown cell.');
    if (this.doc.runtime(id).phase === 'streaming') throw new SessionError('conflict', 'A model is still writing this cell; it runs by itself once its block is closed.');
    if (cell.duet.role === 'code' && !this.controller.active) this.#staleBelow(id);
    this.#track(this.runner.run(id).then((outcome) => {
      if (outcome.kind === 'test') this.#refreshGreens();
      return outcome;
    }));
  }

  runAll(): void {
    this.lastActivity = Date.now();
    this.#track(this.runner.runAll().then(() => this.#refreshGreens()));
  }

  /**
   * Interrupts the running cell until it has ended: the interrupt is sent again
   * while the cell goes on, and the kernel is restarted if it will not stop (one
   * interrupt can land before the cell's code begins and be lost). With no cell
   * running, interrupts the kernel once; when it is busy outside any cell, also says
   * that only a restart stops that work.
   */
  async interrupt(): Promise<void> {
    this.lastActivity = Date.now();
    if (this.runner.current !== null) {
      this.runner.interruptCurrent();
      return;
    }
    const background = this.runner.busyOutsideCells;
    await this.kernel.interrupt();
    if (background) this.doc.notice('warning', BACKGROUND_INTERRUPT_NOTE);
  }

  /** Restarts the kernel; a run going on is stopped first. */
  async restart(): Promise<void> {
    this.lastActivity = Date.now();
    if (this.controller.active) this.controller.stop();
    this.runner.cancelQueued();
    await this.kernel.restart();
  }

  editSource(id: string, source: string): void {
    this.#editable(id, 'edited');
    if (!this.doc.sourceFits(id, source)) throw new SessionError('too-large', `That edit was not kept: ${this.#full()}`);
    const cell = this.doc.cell(id) as NotebookCell;
    if (cell.source === source) return;
    this.doc.setSource(id, source);
    const edited = cell.duet.model !== null ? { edited: true } : {};
    // An edited test no longer says what it said: it is stale until it runs again.
    const stale = cell.duet.role === 'test' && isSettled(cell.duet.test?.status) ? { test: { status: 'stale' as const } } : {};
    if ((cell.duet.model !== null && !cell.duet.edited) || 'test' in stale) this.doc.setCellMeta(id, { ...cell.duet, ...edited, ...stale });
    if (cell.duet.role === 'code') this.#staleBelow(id);
    else if ('test' in stale) this.#refreshGreens();
  }

  /** Turns a cell into markdown, code or a test (M, Y and the code/test command). */
  setCellKind(id: string, cellType: 'markdown' | 'code', role: 'prose' | 'code' | 'test'): void {
    this.#editable(id, 'changed');
    if ((cellType === 'markdown') !== (role === 'prose')) throw new SessionError('invalid', 'A markdown cell holds prose; a code cell holds code or a test.');
    const phase = this.doc.runtime(id).phase;
    if (phase === 'running' || phase === 'queued') throw new SessionError('conflict', 'This cell is queued or running; interrupt it before changing its kind.');
    const cell = this.doc.cell(id) as NotebookCell;
    const { test: _test, note: _note, unrunnable: _unrunnable, ...rest } = cell.duet;
    const duet: DuetCellMeta = { ...rest, role, ...(role === 'test' ? { test: { status: 'not-run' as const } } : {}), ...(cell.duet.model !== null ? { edited: true } : {}) };
    this.doc.replaceCell(id, { cellType, source: cell.source, duet, ...(cellType === 'code' && cell.cellType === 'code' ? { outputs: cell.outputs, executionCount: cell.executionCount } : {}) });
    if (cell.duet.role === 'code' || role === 'code') this.#staleBelow(id);
    else this.#refreshGreens();
  }

  /** Puts a deleted cell back (Z), as the browser kept it. */
  restoreCell(index: number, cell: { cellType: 'markdown' | 'code'; source: string; role: CellRole }): string {
    this.lastActivity = Date.now();
    if (!this.doc.cellFits() || cell.source.length > this.doc.limits.notebookBytes) throw new SessionError('too-large', `The cell was not put back: ${this.#full()}`);
    const duet: DuetCellMeta = { role: cell.role, model: null, turn: 0, ...(cell.role === 'test' ? { test: { status: 'not-run' as const } } : {}) };
    const added = this.doc.addCell({ cellType: cell.cellType, source: cell.source, duet }, Math.min(index, this.doc.cells.length));
    return added.id;
  }

  /**
   * Tests below a changed, re-run, moved or deleted code cell no longer say anything
   * about it until they run again. During a run the controller's count stands: the
   * models' own cells are not the user's changes.
   */
  #staleBelow(id: string, from = this.doc.indexOf(id) + 1): void {
    if (this.controller.active) return;
    markStale(this.doc, from);
    this.#refreshGreens();
  }

  /** Outside a run, the green count says what is green now among the latest request's tests. */
  #refreshGreens(): void {
    if (this.controller.active) return;
    const passes = currentGreens(this.doc.cells, this.doc.meta);
    if (passes !== this.doc.run.passes) this.doc.setRun({ passes });
  }

  addCell(index: number, cellType: 'markdown' | 'code', role?: 'code' | 'test' | 'prose'): string {
    this.lastActivity = Date.now();
    const r: CellRole = role ?? (cellType === 'markdown' ? 'prose' : 'code');
    if (cellType === 'markdown' && r !== 'prose') throw new SessionError('invalid', 'A markdown cell can only hold prose.');
    if (cellType === 'code' && r === 'prose') throw new SessionError('invalid', 'A code cell holds code or a test, not prose.');
    if (!this.doc.cellFits()) throw new SessionError('too-large', `No cell was added: ${this.#full()}`);
    const duet: DuetCellMeta = { role: r, model: null, turn: 0, ...(r === 'test' ? { test: { status: 'not-run' as const } } : {}) };
    return this.doc.addCell({ cellType, duet }, index).id;
  }

  deleteCell(id: string): void {
    this.#editable(id, 'deleted');
    const phase = this.doc.runtime(id).phase;
    if (phase === 'running' || phase === 'queued') throw new SessionError('conflict', 'This cell is queued or running; interrupt it before deleting it.');
    const at = this.doc.indexOf(id);
    const wasCode = this.doc.cell(id)?.duet.role === 'code';
    this.doc.removeCell(id);
    // The conversation that began at this cell now begins at the next one.
    if (this.doc.meta.contextFrom === id) this.doc.setMeta({ contextFrom: this.doc.cells[at]?.id ?? '' });
    if (wasCode) this.#staleBelow(id, at);
  }

  moveCell(id: string, index: number): void {
    this.lastActivity = Date.now();
    const cell = this.doc.cell(id);
    if (!cell) throw new SessionError('not-found', `There is no cell "${id}" in this notebook.`);
    const before = this.doc.indexOf(id);
    this.doc.moveCell(id, index);
    if (cell.duet.role === 'code') this.#staleBelow(id, Math.min(before, this.doc.indexOf(id)));
  }

  /**
   * Stops what is going on, saves, and detaches every browser, saying why. The
   * kernel is left to the caller, which owns the pool.
   */
  async close(why: Detach): Promise<void> {
    if (this.controller.active) this.controller.stop();
    this.runner.cancelQueued();
    for (const c of [...this.clients]) c.detach(why);
    this.clients.clear();
    const run = this.#run;
    if (run) await withTimeout(run, 5000);
    // A cell still running when the kernel goes away ends with an error of its own.
    await withTimeout(Promise.allSettled([...this.#manual]), 2000);
    this.#unsubscribe();
    this.runner.dispose();
    await this.autosaver.close();
  }

  /** Why the notebook takes nothing more, and what to do. */
  #full(): string {
    return `the notebook would hold more than the ${formatLimit(this.doc.limits.notebookBytes)} of sources and outputs a notebook may hold. Delete cells you no longer need (their outputs go with them), or go on in a new notebook.`;
  }

  #editable(id: string, what: string): void {
    this.lastActivity = Date.now();
    if (!this.doc.cell(id)) throw new SessionError('not-found', `There is no cell "${id}" in this notebook.`);
    if (this.doc.runtime(id).phase === 'streaming') throw new SessionError('conflict', `A model is writing this cell right now, so it cannot be ${what}; stop the run or wait for the block to close.`);
  }

  #track(p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => this.#o.log.error({ err: String(err) }, 'cell run failed')).finally(() => this.#manual.delete(tracked));
    this.#manual.add(tracked);
  }
}

/** Python raises KeyboardInterrupt in the main thread only: other threads a cell started go on. */
const BACKGROUND_INTERRUPT_NOTE =
  'The kernel was busy outside any cell: a thread or process that a cell started is still at work, and an interrupt reaches only code in the kernel\'s main thread. If the status bar still says busy, restart the kernel to stop it (variables from earlier cells are lost).';

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref())]);
}

/** A run's options: the request's own values, else the server's. */
function runOptions(req: RunRequest, models: { A: ModelEndpoint; B: ModelEndpoint }, defaults: RunDefaults, kind: RunKind = 'new'): RunOptions {
  const instructions = { A: req.instructionsA ?? defaults.instructions.A, B: req.instructionsB ?? defaults.instructions.B };
  return {
    prompt: req.prompt,
    models,
    required: req.required ?? defaults.required,
    maxTurns: req.maxTurns ?? defaults.maxTurns,
    idleTimeoutMs: defaults.idleTimeoutMs,
    firstTokenTimeoutMs: defaults.firstTokenTimeoutMs,
    // Continue goes on with the model after the last turn's, Retry with the last turn's own, unless told.
    ...(req.first !== undefined || kind === 'new' ? { first: req.first ?? defaults.first } : {}),
    mode: req.mode ?? defaults.mode,
    ...(req.fresh === true ? { fresh: true } : {}),
    instructions: {
      ...(instructions.A !== undefined && instructions.A.trim() !== '' ? { A: instructions.A } : {}),
      ...(instructions.B !== undefined && instructions.B.trim() !== '' ? { B: instructions.B } : {}),
    },
  };
}

/** A run request from the notebook's own settings (the request's fields win). */
function settingsRequest(s: NotebookSettings): Partial<RunRequest> {
  return {
    ...(s.modelA !== undefined ? { modelA: s.modelA } : {}),
    ...(s.modelB !== undefined ? { modelB: s.modelB } : {}),
    // The settings keep the number under its saved name, `passes`; a request calls it `required`.
    ...(s.passes !== undefined ? { required: s.passes } : {}),
    ...(s.maxTurns !== undefined ? { maxTurns: s.maxTurns } : {}),
    ...(s.mode !== undefined ? { mode: s.mode } : {}),
    ...(s.first !== undefined ? { first: s.first } : {}),
    ...(s.instructionsA !== undefined ? { instructionsA: s.instructionsA } : {}),
    ...(s.instructionsB !== undefined ? { instructionsB: s.instructionsB } : {}),
  };
}

/**
 * The request with its green-test target under `required` alone: `passes`, the
 * field's old name, is taken when `required` is not given. Two different numbers
 * are refused rather than one of them picked.
 */
function withRequired(req: RunRequest): RunRequest {
  const { passes, ...rest } = req;
  if (passes === undefined) return rest;
  if (rest.required !== undefined && rest.required !== passes) {
    throw new SessionError('invalid', `The run request gives required ${rest.required} and passes ${passes}; passes is the old name of required, so give required only.`);
  }
  return { ...rest, required: passes };
}

/** The fields of a request that were given, so they can override settings without erasing them. */
function definedFields(req: RunRequest): RunRequest {
  return Object.fromEntries(Object.entries(req).filter(([, v]) => v !== undefined)) as RunRequest;
}
