/**
 * The notebook document as Duet keeps it and as browsers see it. Cells are
 * nbformat-shaped (source, outputs, metadata.duet); what is only true while the
 * server runs (queued, running, streaming) lives apart, in {@link CellRuntime}.
 */
import type { NbOutput } from '@duet/kernel';

export type ModelSlot = 'A' | 'B';
export type CellRole = 'prompt' | 'prose' | 'reasoning' | 'code' | 'test' | 'feedback';
export type TestStatus = 'passed' | 'failed' | 'error' | 'blocked' | 'not-run';
export type HaltReason = 'tests-passed' | 'stopped' | 'max-turns' | 'no-progress' | 'error';

/** `metadata.duet` of a cell. */
export interface DuetCellMeta {
  role: CellRole;
  model: ModelSlot | null;
  turn: number;
  test?: { status: TestStatus };
  /** Why a marked block was not run (another language, incomplete fence). */
  note?: string;
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

/** `metadata.duet` of the notebook. */
export interface DuetNotebookMeta {
  models: { A: ModelRef; B: ModelRef } | null;
  required: number;
  passes: number;
  halted: HaltReason | null;
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
