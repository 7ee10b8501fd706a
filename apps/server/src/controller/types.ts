import type { HaltReason, TestStatus } from '../protocol/notebook.ts';

/** A model and where it is served. The API key never leaves the server process. */
export interface ModelEndpoint {
  id: string;
  baseUrl: string;
  apiKey?: string;
  /** What the notebook records as the model's endpoint, when not `baseUrl` (`demo` for the built-in models). */
  label?: string;
}

export interface RunOptions {
  prompt: string;
  models: { A: ModelEndpoint; B: ModelEndpoint };
  /** Green tests that end the run. */
  required: number;
  maxTurns: number;
  /** No token for this long ends the turn with a stalled-model error. */
  idleTimeoutMs?: number;
}

/** What `duet run --json` prints. */
export interface RunSummary {
  halted: HaltReason;
  passes: number;
  required: number;
  turns: number;
  cells: number;
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
}
