/**
 * The notebook document as Duet keeps it and as browsers see it. Cells are
 * nbformat-shaped (source, outputs, metadata.duet); what is only true while the
 * server runs (queued, running, streaming) lives apart, in {@link CellRuntime}.
 */
import type { NbOutput } from '@duet/kernel';

export type ModelSlot = 'A' | 'B';
export type CellRole = 'prompt' | 'prose' | 'reasoning' | 'code' | 'test' | 'feedback';
/** `stale`: it passed or failed, then code above it was edited or re-run; it counts as nothing until it runs again. */
export type TestStatus = 'passed' | 'failed' | 'error' | 'blocked' | 'not-run' | 'stale';
export type HaltReason = 'tests-passed' | 'stopped' | 'max-turns' | 'no-progress' | 'error';

/** `metadata.duet` of a cell. */
export interface DuetCellMeta {
  role: CellRole;
  model: ModelSlot | null;
  turn: number;
  test?: { status: TestStatus };
  /** Why a marked block was not run (another language, incomplete fence). */
  note?: string;
  /** True when the block must never run (another language, a fence left open): a field, so nothing is decided from the note's words. */
  unrunnable?: boolean;
  /** The run (index into `metadata.duet.runs`) whose model wrote the cell; absent for cells the user wrote. */
  run?: number;
  /** The model id that wrote the cell (the badge's hover text). */
  modelId?: string;
  /** On a feedback cell: the model that received it. */
  to?: ModelSlot;
  /** A turn replaced by Retry: kept, shown folded, never sent to the models again. */
  discarded?: boolean;
  /** The user changed this cell after a model wrote it (or wrote it): the models are told it is the user's. */
  edited?: boolean;
}

export interface NotebookCell {
  id: string;
  cellType: 'markdown' | 'code';
  source: string;
  outputs: NbOutput[];
  executionCount: number | null;
  duet: DuetCellMeta;
}

export interface ModelRef {
  id: string;
  baseUrl: string;
}

/**
 * How the two models share the work. `relay`: A and B take turns, each building on
 * the other's code and tests. `coder-tester`: B writes tests from the request alone,
 * never seeing A's code; A writes the code and gets B's failing tests back.
 */
export type RunMode = 'relay' | 'coder-tester';

/** One turn's cost, kept after the run for the turn's badge. */
export interface TurnStats {
  turn: number;
  model: ModelSlot;
  /** From the request to the end of the answer. */
  ms: number;
  promptTokens: number;
  completionTokens: number;
}

/** One generation run, as the notebook remembers it. */
export interface RunRecord {
  /** The user's request; empty for Continue and Retry, which carry on the run before. */
  request: string;
  kind: 'new' | 'continue' | 'retry';
  models: { A: ModelRef; B: ModelRef };
  required: number;
  passes: number;
  halted: HaltReason | null;
  mode: RunMode;
  /** Which model spoke first. */
  first: ModelSlot;
  /** ISO time the run started. */
  startedAt: string;
  turns: TurnStats[];
}

/** The run settings a notebook keeps, restored when it opens. */
export interface NotebookSettings {
  modelA?: string;
  modelB?: string;
  passes?: number;
  maxTurns?: number;
  mode?: RunMode;
  first?: ModelSlot;
  instructionsA?: string;
  instructionsB?: string;
}

/** `metadata.duet` of the notebook. `models`, `required`, `passes` and `halted` describe the latest run. */
export interface DuetNotebookMeta {
  models: { A: ModelRef; B: ModelRef } | null;
  required: number;
  passes: number;
  halted: HaltReason | null;
  /** Every run, oldest first. */
  runs: RunRecord[];
  /** Cells before this one are not part of the models' conversation ("New conversation"); null: all are. */
  contextFrom: string | null;
  settings: NotebookSettings;
}

/** Runtime state of a cell: never saved to disk. */
export interface CellRuntime {
  /** `streaming`: a model is still writing it. */
  phase: 'streaming' | 'idle' | 'queued' | 'running';
  /** Epoch ms when it began running, for the elapsed-time display. */
  startedAt: number | null;
  /** Last run's duration, ms. */
  lastDurationMs: number | null;
}

export type KernelStatus = 'starting' | 'idle' | 'busy' | 'restarting' | 'dead' | 'shutdown' | 'none';

/** A run of the generation controller, as the toolbar shows it. */
export interface RunState {
  active: boolean;
  halted: HaltReason | null;
  passes: number;
  required: number;
  turn: number;
  maxTurns: number;
  /** The model streaming now. */
  streaming: ModelSlot | null;
  /** What the streaming model is producing: its reasoning or its answer. */
  producing: 'reasoning' | 'answer' | null;
  /** Epoch ms when the current turn's request was sent, for the per-turn timer. */
  turnStartedAt: number | null;
  tokensPerSecond: number | null;
  /** The last error a user should see (model error, kernel died …). */
  error: string | null;
  /** A model asked and not answering yet: reading the prompt, or its server loading it. */
  waiting: WaitingState | null;
  /** How full each model's context window was on its last request. */
  context: { A: ContextMeter | null; B: ContextMeter | null };
}

/** A request sent and no token back yet. */
export interface WaitingState {
  slot: ModelSlot;
  /** Epoch ms when the request was sent, for the seconds-waited display. */
  since: number;
  /** True once the server said the model is loading (a 503 "Loading model", LM Studio JIT). */
  loading: boolean;
  /** The server's own words about the wait, when it said any. */
  detail: string | null;
}

/** Which server software answers at a base URL, as far as Duet could tell. */
export type ServerKind = 'lmstudio' | 'ollama' | 'llamacpp' | 'vllm' | 'demo' | 'openai-compatible';

/** Where a model's context window size came from. */
export type ContextSource = 'flag' | 'server' | 'default';

/** One model's context use on its latest request. */
export interface ContextMeter {
  /** Prompt tokens of the latest request: the server's count when it reported one, else Duet's estimate. */
  sent: number;
  /** The model's context window, in tokens. */
  window: number;
  source: ContextSource;
  /** True when `sent` is the server's own `usage.prompt_tokens`. */
  measured: boolean;
  /** The most tokens the answer may take (`max_tokens`). */
  maxTokens: number;
  /** Older turns folded into one-line summaries to keep the request inside the window. */
  folded: number;
  /** What the model sees in place of those turns; null when nothing was folded. */
  summary: string | null;
}

/** Everything a browser needs to draw a notebook. */
export interface NotebookSnapshot {
  name: string;
  cells: NotebookCell[];
  runtime: Record<string, CellRuntime>;
  meta: DuetNotebookMeta;
  run: RunState;
  kernel: KernelStatus;
}
