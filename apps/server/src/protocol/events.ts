/**
 * What flows over a notebook's WebSocket: server events (ordered, numbered) and
 * client commands. Both are unions on `type`; every switch over them ends in
 * `assertNever`.
 */
import type { NbOutput } from '@duet/kernel';
import type { z } from 'zod';
import type { clientCommandSchema, resumeRequestSchema, runRequestSchema } from '../http/commands.ts';
import type {
  CellRuntime,
  DuetCellMeta,
  DuetNotebookMeta,
  KernelStatus,
  NotebookCell,
  NotebookSnapshot,
  RunState,
} from './notebook.ts';

/** A change to the document or its runtime. The notebook document emits these. */
export type DocumentEvent =
  | { type: 'cell-added'; index: number; cell: NotebookCell; runtime: CellRuntime }
  | { type: 'cell-removed'; id: string }
  | { type: 'cell-moved'; id: string; index: number }
  | { type: 'source-appended'; id: string; text: string }
  | { type: 'source-set'; id: string; source: string }
  | { type: 'outputs-cleared'; id: string }
  | { type: 'output-appended'; id: string; output: NbOutput }
  | { type: 'outputs-set'; id: string; outputs: NbOutput[]; executionCount: number | null }
  | { type: 'cell-meta'; id: string; duet: DuetCellMeta }
  | { type: 'cell-runtime'; id: string; runtime: CellRuntime }
  | { type: 'notebook-meta'; meta: DuetNotebookMeta }
  | { type: 'run-state'; run: RunState }
  | { type: 'kernel-state'; kernel: KernelStatus }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string };

/** Server → browser. `seq` increases by one per message on a connection. */
export type ServerMessage =
  | { type: 'snapshot'; seq: number; notebook: NotebookSnapshot }
  | { type: 'event'; seq: number; event: DocumentEvent }
  | { type: 'error'; seq: number; message: string; command?: string };

/**
 * A run request: the body of `POST /api/notebooks/NAME/runs` and the fields of
 * `start-run`. `required` is how many green tests end the run; `passes` is its
 * old name, still accepted.
 */
export type RunRequest = z.infer<typeof runRequestSchema>;

/** `continue`: more turns with everything so far (`maxTurns`: how many, default the run's max turns). */
export type ResumeRequest = z.infer<typeof resumeRequestSchema>;

/** Browser → server: inferred from the schema that checks every command at the door. */
export type ClientCommand = z.infer<typeof clientCommandSchema>;
