/**
 * The notebook document: nbformat-shaped cells and notebook metadata, plus the
 * runtime state that is never saved (which cell streams, queues or runs, the run,
 * the kernel). Every change goes through a method here and comes out as one
 * {@link DocumentEvent}, so disk, browsers and tests all see the same history.
 *
 * The document also keeps count of the bytes it holds (every cell's source and
 * outputs, counted as output budgets count them: `OutputArea.bytesOf`), so that
 * everything that grows it can be held to {@link NotebookLimits}: what one cell's
 * run keeps, and the whole.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_OUTPUT_BUDGET, OutputArea, type ErrorOutput, type ExecuteEvent, type NbOutput } from '@duet/kernel';
import type { DocumentEvent } from '../protocol/events.ts';
import { emptyNotebookMeta } from './duet-meta.ts';
import type {
  CellRuntime,
  DuetCellMeta,
  DuetNotebookMeta,
  KernelStatus,
  NotebookCell,
  NotebookSnapshot,
  RunState,
} from '../protocol/notebook.ts';

export type DocumentListener = (event: DocumentEvent) => void;

/** Why an output area stopped keeping a cell's output, and the bound it hit. */
export type OutputCut = NonNullable<OutputArea['limitHit']>;

/** What one notebook may hold in memory, in bytes as output budgets count them. */
export interface NotebookLimits {
  /** Everything one cell's run keeps: outputs, display updates, metadata, tracebacks. */
  cellOutputBytes: number;
  /** The whole notebook: every cell's source and outputs. */
  notebookBytes: number;
}

export const DEFAULT_NOTEBOOK_LIMITS: Readonly<NotebookLimits> = { cellOutputBytes: DEFAULT_OUTPUT_BUDGET, notebookBytes: 32 * 1024 * 1024 };

/** What a cell costs before its source and outputs: its fields and metadata in the file, and so many of them cannot be free. */
export const CELL_BYTES = 256;

export interface NewCell {
  cellType: 'markdown' | 'code';
  source?: string;
  duet: DuetCellMeta;
  outputs?: NbOutput[];
  executionCount?: number | null;
  id?: string;
}

export const IDLE_RUNTIME: CellRuntime = { phase: 'idle', startedAt: null, lastDurationMs: null };

export function idleRun(required = 2, maxTurns = 4): RunState {
  return { active: false, halted: null, passes: 0, required, turn: 0, maxTurns, streaming: null, producing: null, turnStartedAt: null, tokensPerSecond: null, error: null, waiting: null, context: { A: null, B: null } };
}

export function newCellId(): string {
  return randomBytes(6).toString('hex');
}

export class NotebookDocument {
  readonly #cells: NotebookCell[] = [];
  /** Lookups by id happen for every streamed token; a scan of a long notebook each time would make a run quadratic. */
  readonly #byId = new Map<string, NotebookCell>();
  readonly #runtime = new Map<string, CellRuntime>();
  readonly #listeners = new Set<DocumentListener>();
  #meta: DuetNotebookMeta;
  #run: RunState;
  #kernel: KernelStatus = 'none';
  /** Bytes of each cell's source and outputs. */
  readonly #sizes = new Map<string, { source: number; outputs: number }>();
  #bytes = 0;
  /** Bumped on every change; the autosaver compares it. */
  version = 0;
  /** The bounds the document holds runs and edits to. */
  limits: Readonly<NotebookLimits> = DEFAULT_NOTEBOOK_LIMITS;

  constructor(
    public name: string,
    cells: NotebookCell[] = [],
    meta: DuetNotebookMeta = emptyNotebookMeta(),
  ) {
    for (const c of cells) {
      this.#cells.push(c);
      this.#byId.set(c.id, c);
      this.#runtime.set(c.id, { ...IDLE_RUNTIME });
      this.#measure(c);
    }
    this.#meta = meta;
    this.#run = idleRun(meta.required);
  }

  get cells(): readonly NotebookCell[] {
    return this.#cells;
  }

  get meta(): DuetNotebookMeta {
    return this.#meta;
  }

  get run(): RunState {
    return this.#run;
  }

  get kernel(): KernelStatus {
    return this.#kernel;
  }

  /** Bytes the notebook holds: every cell's source, outputs and fields. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes the notebook can still take before {@link NotebookLimits.notebookBytes}. */
  get room(): number {
    return this.limits.notebookBytes - this.#bytes;
  }

  /** Whether a cell's source may become `source`: always when it shrinks, else while the notebook has room. */
  sourceFits(id: string, source: string): boolean {
    const before = this.#sizes.get(id)?.source ?? 0;
    const after = OutputArea.textBytes(source);
    return after <= before || after - before <= this.room;
  }

  /** Whether one more (empty) cell fits. */
  cellFits(): boolean {
    return CELL_BYTES <= this.room;
  }

  /**
   * The output area for one run of a cell: it keeps at most the per-cell budget,
   * and never more than the notebook has room for. `note` phrases the error output
   * that says output was cut.
   */
  outputArea(note?: (hit: OutputCut) => ErrorOutput): OutputArea {
    return new OutputArea({ budget: this.limits.cellOutputBytes, room: () => this.room, ...(note ? { note } : {}) });
  }

  on(fn: DocumentListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  cell(id: string): NotebookCell | undefined {
    return this.#byId.get(id);
  }

  indexOf(id: string): number {
    return this.#cells.findIndex((c) => c.id === id);
  }

  runtime(id: string): CellRuntime {
    return this.#runtime.get(id) ?? IDLE_RUNTIME;
  }

  snapshot(): NotebookSnapshot {
    return {
      name: this.name,
      cells: this.#cells.map((c) => ({ ...c, outputs: [...c.outputs], duet: { ...c.duet } })),
      runtime: Object.fromEntries(this.#runtime),
      meta: { ...this.#meta },
      run: { ...this.#run },
      kernel: this.#kernel,
    };
  }

  addCell(init: NewCell, index = this.#cells.length, runtime: CellRuntime = IDLE_RUNTIME): NotebookCell {
    const cell: NotebookCell = {
      id: init.id ?? newCellId(),
      cellType: init.cellType,
      source: init.source ?? '',
      outputs: init.outputs ?? [],
      executionCount: init.executionCount ?? null,
      duet: init.duet,
    };
    const at = Math.max(0, Math.min(index, this.#cells.length));
    this.#cells.splice(at, 0, cell);
    this.#byId.set(cell.id, cell);
    this.#runtime.set(cell.id, { ...runtime });
    this.#measure(cell);
    this.#emit({ type: 'cell-added', index: at, cell: { ...cell }, runtime: { ...runtime } });
    return cell;
  }

  /** Replaces a cell in place, keeping its id and position (a change of kind); browsers see it removed and added again. */
  replaceCell(id: string, init: Omit<NewCell, 'id'>): NotebookCell | undefined {
    const i = this.indexOf(id);
    if (i < 0) return undefined;
    this.removeCell(id);
    return this.addCell({ ...init, id }, i);
  }

  removeCell(id: string): boolean {
    const i = this.indexOf(id);
    if (i < 0) return false;
    this.#cells.splice(i, 1);
    this.#byId.delete(id);
    this.#runtime.delete(id);
    const size = this.#sizes.get(id);
    if (size) this.#bytes -= CELL_BYTES + size.source + size.outputs;
    this.#sizes.delete(id);
    this.#emit({ type: 'cell-removed', id });
    return true;
  }

  moveCell(id: string, index: number): boolean {
    const i = this.indexOf(id);
    if (i < 0) return false;
    const [cell] = this.#cells.splice(i, 1);
    const at = Math.max(0, Math.min(index, this.#cells.length));
    this.#cells.splice(at, 0, cell as NotebookCell);
    this.#emit({ type: 'cell-moved', id, index: at });
    return true;
  }

  appendSource(id: string, text: string): void {
    const cell = this.cell(id);
    if (!cell || text === '') return;
    cell.source += text;
    this.#resize(id, { source: (this.#sizes.get(id)?.source ?? 0) + OutputArea.textBytes(text) });
    this.#emit({ type: 'source-appended', id, text });
  }

  setSource(id: string, source: string): void {
    const cell = this.cell(id);
    if (!cell || cell.source === source) return;
    cell.source = source;
    this.#resize(id, { source: OutputArea.textBytes(source) });
    this.#emit({ type: 'source-set', id, source });
  }

  clearOutputs(id: string): void {
    const cell = this.cell(id);
    if (!cell) return;
    cell.outputs = [];
    cell.executionCount = null;
    this.#resize(id, { outputs: 0 });
    this.#emit({ type: 'outputs-cleared', id });
  }

  /**
   * Applies an execute event through the cell's output area and sends the
   * smallest event that says what changed: an appended output where it can.
   * The cell keeps a list of its own, never the area's: an appended output is
   * appended to it, a merged stream replaces its last entry (the area never
   * changes an output in place), anything else replaces the list. So each
   * message costs O(1), and the runner's later changes to the area reach the
   * document only through an event.
   */
  applyExecuteEvent(id: string, area: OutputArea, event: ExecuteEvent): void {
    const cell = this.cell(id);
    const wasTruncated = area.truncated;
    if (!area.apply(event) || !cell) return;
    this.#resize(id, { outputs: area.used });
    const own = cell.outputs;
    const latest = area.outputs;
    const output = event.kind === 'output' && !wasTruncated && !area.truncated ? event.output : null;
    const step = output === null ? 'other' : outputStep(own, latest, output);
    if (output !== null && step !== 'other') {
      const last = latest[latest.length - 1] as NbOutput;
      if (step === 'merged') own[own.length - 1] = last;
      else own.push(last);
      // Receivers merge a stream into the last output of the same name, as the area did.
      this.#emit({ type: 'output-appended', id, output });
    } else {
      cell.outputs = [...latest];
      this.#emit({ type: 'outputs-set', id, outputs: [...latest], executionCount: cell.executionCount });
    }
  }

  setOutputs(id: string, outputs: NbOutput[], executionCount: number | null): void {
    const cell = this.cell(id);
    if (!cell) return;
    cell.outputs = outputs;
    cell.executionCount = executionCount;
    this.#resize(id, { outputs: outputsBytes(outputs) });
    this.#emit({ type: 'outputs-set', id, outputs, executionCount });
  }

  setCellMeta(id: string, duet: DuetCellMeta): void {
    const cell = this.cell(id);
    if (!cell) return;
    cell.duet = duet;
    this.#emit({ type: 'cell-meta', id, duet: { ...duet } });
  }

  setRuntime(id: string, patch: Partial<CellRuntime>): void {
    if (!this.cell(id)) return;
    const runtime = { ...this.runtime(id), ...patch };
    this.#runtime.set(id, runtime);
    this.#emit({ type: 'cell-runtime', id, runtime });
  }

  setMeta(patch: Partial<DuetNotebookMeta>): void {
    this.#meta = { ...this.#meta, ...patch };
    this.#emit({ type: 'notebook-meta', meta: { ...this.#meta } });
  }

  setRun(patch: Partial<RunState>): void {
    this.#run = { ...this.#run, ...patch };
    this.#emit({ type: 'run-state', run: { ...this.#run } });
  }

  setKernel(kernel: KernelStatus): void {
    if (this.#kernel === kernel) return;
    this.#kernel = kernel;
    this.#emit({ type: 'kernel-state', kernel });
  }

  notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.#emit({ type: 'notice', level, message });
  }

  #measure(cell: NotebookCell): void {
    this.#sizes.set(cell.id, { source: 0, outputs: 0 });
    this.#bytes += CELL_BYTES;
    this.#resize(cell.id, { source: OutputArea.textBytes(cell.source), outputs: outputsBytes(cell.outputs) });
  }

  #resize(id: string, patch: Partial<{ source: number; outputs: number }>): void {
    const size = this.#sizes.get(id);
    if (!size) return;
    const next = { ...size, ...patch };
    this.#bytes += next.source - size.source + next.outputs - size.outputs;
    this.#sizes.set(id, next);
  }

  #emit(event: DocumentEvent): void {
    this.version += 1;
    for (const fn of this.#listeners) fn(event);
  }
}

function outputsBytes(outputs: readonly NbOutput[]): number {
  return outputs.reduce((n, o) => n + OutputArea.bytesOf(o), 0);
}

/**
 * How the area's list differs from the cell's after one output: one more entry
 * after the same ones, the last stream grown by exactly this text, or anything
 * else (a clear, a cut). Checked in O(1): identity of the entry before, lengths.
 */
function outputStep(own: readonly NbOutput[], latest: readonly NbOutput[], output: NbOutput): 'appended' | 'merged' | 'other' {
  const prev = own[own.length - 1];
  const last = latest[latest.length - 1];
  if (last === undefined) return 'other';
  if (latest.length === own.length + 1 && latest[latest.length - 2] === prev) return 'appended';
  if (
    latest.length === own.length &&
    prev?.output_type === 'stream' &&
    last.output_type === 'stream' &&
    output.output_type === 'stream' &&
    prev.name === last.name &&
    last.text.length === prev.text.length + output.text.length
  ) {
    return 'merged';
  }
  return 'other';
}
