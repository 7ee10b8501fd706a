import type { DisplayDataOutput, NbOutput } from './outputs.ts';

/** What the kernel is doing, as the session sees it. */
export type KernelState = 'starting' | 'idle' | 'busy' | 'restarting' | 'dead' | 'shutdown';

/** One event of a running cell, in the order the kernel sent it. */
export type ExecuteEvent =
  | { kind: 'output'; output: NbOutput }
  | { kind: 'clear_output'; wait: boolean }
  | { kind: 'update_display'; displayId: string; output: DisplayDataOutput };

/** How a cell's execution ended. */
export interface ExecuteResult {
  status: 'ok' | 'error' | 'aborted';
  executionCount: number | null;
  /** Set for `status: 'error'`: the exception's name and value. */
  ename?: string;
  evalue?: string;
}

export interface ExecuteOptions {
  /** Aborting interrupts the kernel and ends the request. */
  signal?: AbortSignal;
  /** Called for each output event as it arrives. */
  onEvent?: (event: ExecuteEvent) => void;
  /** Count the cell in the kernel's execution count (on by default, as in Jupyter). */
  storeHistory?: boolean;
  /**
   * How to stop the cell when the session must (past its disk limit): the caller's
   * own escalation, such as the cell runner's interrupt-then-restart. Without it
   * the session interrupts again every second until the cell ends.
   */
  stopCell?: () => void;
}

/** `kernel_info_reply` content, the parts Duet reads. */
export interface KernelInfo {
  protocolVersion: string;
  implementation: string;
  implementationVersion: string;
  languageVersion: string;
  /** Sandbox the kernel runs in (see sandbox/). */
  sandbox: string;
}
