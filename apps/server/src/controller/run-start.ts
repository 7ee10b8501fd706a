/**
 * Where a run starts from. A new request continues the notebook (or starts a new
 * conversation); Continue carries on the latest request with more turns; Retry
 * replaces the latest turn. Each is decided from the notebook as it is now, so a
 * run after a server restart, an import or a hand edit starts from the truth.
 */
import type { NotebookDocument } from '../notebook/document.ts';
import type { DuetNotebookMeta, ModelSlot, NotebookCell, TestStatus } from '../protocol/notebook.ts';
import { notebookRecords } from './conversation.ts';
import type { TurnRecord } from './prompts.ts';

export type RunKind = 'new' | 'continue' | 'retry';

/** What a run needs to know before its first turn. */
export interface RunStart {
  /** The user's request the models work on. */
  request: string;
  /** The notebook before the request, as records (empty for a new conversation). */
  history: TurnRecord[];
  /** The turns of the request so far (Continue, Retry). */
  turns: TurnRecord[];
  /** The number of the last turn so far; the run's first turn is one more. */
  lastTurn: number;
  /** Who speaks first. */
  first: ModelSlot;
  /** Tests of the request so far that are green now (Continue, Retry count on from them). */
  greens: number;
  /** Cells of the turn that Retry replaces: kept, marked discarded. */
  discard: string[];
  /** Where the conversation starts, when this run starts a new one (the id is the prompt cell's, known once added). */
  freshConversation: boolean;
}

/** Why a run cannot start from this notebook; the caller phrases it for its user. */
export class RunStartError extends Error {
  override readonly name = 'RunStartError';
}

export interface RunStartInput {
  kind: RunKind;
  /** For a new run. */
  prompt?: string;
  first?: ModelSlot;
  /** A new conversation: the models do not see the notebook's earlier cells. */
  fresh?: boolean;
}

export function runStart(cells: readonly NotebookCell[], meta: DuetNotebookMeta, input: RunStartInput): RunStart {
  const from = conversationStart(cells, meta);
  if (input.kind === 'new') {
    const prompt = input.prompt ?? '';
    if (prompt.trim() === '') throw new RunStartError('The request is empty: say what the models should build.');
    const fresh = input.fresh === true || meta.contextFrom === '';
    return {
      request: prompt,
      history: fresh ? [] : notebookRecords(cells.slice(from)),
      turns: [],
      lastTurn: 0,
      first: input.first ?? 'A',
      greens: 0,
      discard: [],
      freshConversation: fresh,
    };
  }
  const task = lastTask(meta);
  const promptIndex = taskPromptIndex(cells, meta);
  if (task === null || promptIndex < 0) {
    throw new RunStartError(input.kind === 'continue' ? 'There is no run to continue in this notebook: send a request first.' : 'There is no turn to retry in this notebook: send a request first.');
  }
  const request = cells[promptIndex]?.source ?? '';
  const after = cells.slice(promptIndex + 1).filter((c) => !c.duet.discarded);
  const modelCells = after.filter((c) => c.duet.model !== null && c.duet.role !== 'prompt');
  const last = modelCells.at(-1);
  const discard: string[] = [];
  let kept = after;
  let first: ModelSlot;
  let lastTurn = Math.max(0, ...modelCells.map((c) => c.duet.turn));
  if (input.kind === 'retry') {
    if (last === undefined || last.duet.model === null) throw new RunStartError('There is no turn to retry yet: the request has no answer.');
    const turnCells = after.filter((c) => c.duet.run === last.duet.run && c.duet.turn === last.duet.turn && c.duet.model === last.duet.model);
    discard.push(...turnCells.map((c) => c.id));
    kept = after.filter((c) => !discard.includes(c.id));
    first = last.duet.model;
    lastTurn = last.duet.turn - 1;
  } else {
    first = input.first ?? (last?.duet.model === 'A' ? 'B' : 'A');
  }
  return {
    request,
    history: notebookRecords(cells.slice(from, promptIndex)),
    turns: notebookRecords(kept),
    lastTurn,
    first,
    greens: kept.filter((c) => c.duet.role === 'test' && c.duet.test?.status === 'passed').length,
    discard,
    freshConversation: false,
  };
}

/** The index of the first cell of the current conversation. */
function conversationStart(cells: readonly NotebookCell[], meta: DuetNotebookMeta): number {
  if (meta.contextFrom === null || meta.contextFrom === '') return 0;
  const i = cells.findIndex((c) => c.id === meta.contextFrom);
  return i < 0 ? 0 : i;
}

/** The run index of the latest new request; Continue and Retry runs carry it on. */
function lastTask(meta: DuetNotebookMeta): number | null {
  for (let i = meta.runs.length - 1; i >= 0; i--) if (meta.runs[i]?.kind === 'new') return i;
  return null;
}

/** Tests of the latest request (its runs, Continue and Retry included) that are green now; discarded turns do not count. */
export function currentGreens(cells: readonly NotebookCell[], meta: DuetNotebookMeta): number {
  const promptIndex = taskPromptIndex(cells, meta);
  if (promptIndex < 0) return 0;
  return cells.slice(promptIndex + 1).filter((c) => !c.duet.discarded && c.duet.role === 'test' && c.duet.test?.status === 'passed').length;
}

/** Marks the settled tests from cell `from` on as stale: code above them changed since they ran. */
export function markStale(doc: NotebookDocument, from: number): number {
  let marked = 0;
  for (const cell of doc.cells.slice(from)) {
    if (cell.duet.role === 'test' && isSettled(cell.duet.test?.status)) {
      doc.setCellMeta(cell.id, { ...cell.duet, test: { status: 'stale' } });
      marked += 1;
    }
  }
  return marked;
}

/** The index of the latest request's prompt cell (Continue and Retry carry that request on), or -1. */
export function taskPromptIndex(cells: readonly NotebookCell[], meta: DuetNotebookMeta): number {
  const task = lastTask(meta);
  return task === null ? -1 : cells.findLastIndex((c) => c.duet.role === 'prompt' && c.duet.run === task);
}

/** A test status that says something about the code above it: stale once that code changes. */
export function isSettled(status: TestStatus | undefined): boolean {
  return status === 'passed' || status === 'failed' || status === 'error';
}
