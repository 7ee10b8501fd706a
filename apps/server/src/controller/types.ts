import type { ContextSource, HaltReason, ModelSlot, RunMode, ServerKind, TestStatus } from '../protocol/notebook.ts';
import type { RunKind } from './run-start.ts';

export type { ServerKind };

/** A model and where it is served. The API key never leaves the server process. */
export interface ModelEndpoint {
  id: string;
  baseUrl: string;
  apiKey?: string;
  /** What the notebook records as the model's endpoint, when not `baseUrl` (`demo` for the built-in models). */
  label?: string;
  /** The model's context window in tokens, and where that figure came from; 4096 (`default`) when unknown. */
  context?: { window: number; source: ContextSource };
  /** The server software, when discovery could tell. */
  server?: ServerKind;
  /** The id or chat template says answers begin inside reasoning with no `<think>` (DeepSeek-R1 style templates). */
  startsInReasoning?: boolean;
}

export interface RunOptions {
  prompt: string;
  models: { A: ModelEndpoint; B: ModelEndpoint };
  /** Green tests that end the run. */
  required: number;
  maxTurns: number;
  /** No token for this long, between tokens, ends the turn with a stalled-model error. */
  idleTimeoutMs?: number;
  /** How long to wait for an answer's first token, model loading included. */
  firstTokenTimeoutMs?: number;
  /** The user's own instructions per model, added to Duet's rules. */
  instructions?: { A?: string; B?: string };
  /** How the two models share the work; `relay` (take turns) unless said. */
  mode?: RunMode;
  /** `new` (the default) asks `prompt`; `continue` and `retry` carry on the notebook's latest request. */
  kind?: RunKind;
  /** Who speaks first; for Continue, the model after the last turn's unless said. */
  first?: ModelSlot;
  /** Start a new conversation: the models do not see the notebook's earlier cells. */
  fresh?: boolean;
}

export type { RunMode };

/** What `duet run --json` prints. */
export interface RunSummary {
  halted: HaltReason;
  passes: number;
  required: number;
  turns: number;
  cells: number;
  /** Tokens over the run's requests: the servers' counts where they gave them, else Duet's estimates. */
  usage: { promptTokens: number; completionTokens: number };
  /** From the start of the run to the first green test, or null when none went green. */
  firstGreenMs: number | null;
}

/** How one cell's run ended, as the controller and the next model see it. */
export interface CellOutcome {
  id: string;
  kind: 'code' | 'test';
  status: 'ok' | 'error' | 'timeout' | 'died' | 'not-run';
  /** For test cells. */
  testStatus?: TestStatus;
  /** Text of the outputs, ANSI stripped, for the models. */
  text: string;
  /** The exception that ended the cell, when it raised one: its message reaches the next model uncut. */
  error?: { ename: string; evalue: string };
}
