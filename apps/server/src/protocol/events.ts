/**
 * What flows over a notebook's WebSocket: server events (ordered, numbered) and
 * client commands. Both are unions on `type`; every switch over them ends in
 * `assertNever`.
 */
import type { NbOutput } from '@duet/kernel';
import type {
  CellRuntime,
  ModelSlot,
  NotebookSettings,
  RunMode,
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

export interface RunRequest {
  prompt: string;
  modelA?: string;
  modelB?: string;
  passes?: number;
  maxTurns?: number;
  /** The user's own instructions for each model, added to Duet's rules. */
  instructionsA?: string;
  instructionsB?: string;
  /** Which model speaks first (default A). */
  first?: ModelSlot;
  mode?: RunMode;
  /** Start a new conversation: the models do not see the notebook's earlier cells. */
  fresh?: boolean;
}

/** `continue`: more turns with everything so far; `retry`: the last turn again, the old one kept and folded. */
export interface ResumeRequest {
  /** How many turns Continue adds (default: the run's max turns). */
  maxTurns?: number;
}

/** Browser → server. */
export type ClientCommand =
  | { type: 'edit-source'; id: string; source: string }
  | { type: 'add-cell'; index: number; cellType: 'markdown' | 'code'; role?: 'code' | 'test' | 'prose' }
  | { type: 'delete-cell'; id: string }
  | { type: 'move-cell'; id: string; index: number }
  | { type: 'run-cell'; id: string }
  | { type: 'run-all' }
  | ({ type: 'start-run' } & RunRequest)
  | ({ type: 'continue-run' } & ResumeRequest)
  | { type: 'retry-turn' }
  | { type: 'new-conversation' }
  | { type: 'set-cell-kind'; id: string; cellType: 'markdown' | 'code'; role: 'prose' | 'code' | 'test' }
  | { type: 'restore-cell'; index: number; cell: { cellType: 'markdown' | 'code'; source: string; role: 'prose' | 'code' | 'test' | 'prompt' | 'reasoning' | 'feedback' } }
  | { type: 'save' }
  | { type: 'set-settings'; settings: NotebookSettings }
  | { type: 'stop' }
  | { type: 'interrupt' }
  | { type: 'restart' };
