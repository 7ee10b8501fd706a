/** What a cell cut from a model's answer holds. */
export type SplitKind = 'prose' | 'reasoning' | 'code' | 'test';

/** The kinds a marker can give a fenced block. */
export type BlockKind = 'code' | 'test';

/**
 * One step of the splitter's output. A cell gets exactly one `cell-open`, then
 * `cell-append`s whose texts, concatenated, are its source so far, then one
 * `cell-close`. Only the last cell is ever open.
 */
export type SplitEvent =
  | { type: 'cell-open'; index: number; kind: SplitKind; lang: string | null; runnable: boolean; note?: string }
  | { type: 'cell-append'; index: number; text: string }
  | { type: 'cell-close'; index: number; source: string; complete: boolean };

/** A finished cell, as {@link splitText} returns it. */
export interface SplitCell {
  kind: SplitKind;
  source: string;
  lang: string | null;
  runnable: boolean;
  /** False only for a block whose fence was still open when the answer ended. */
  complete: boolean;
  note?: string;
}

/** How a `CellSplitter` starts. */
export interface CellSplitterOptions {
  /**
   * The content starts inside reasoning, as when the chat template puts `<think>` in the
   * prompt and only `</think>` arrives. Cancelled by a reasoning delta before any content:
   * the server then separates the reasoning itself.
   */
  startInReasoning?: boolean;
}

/** What kinds of blocks an answer held, so a model that writes Python without markers can be told. */
export interface SplitterStats {
  /** Complete unmarked Python blocks left in the prose (outside reasoning, not bound by a marker after them). */
  unmarkedPython: number;
  /** Marked blocks: the code and test cells. */
  marked: number;
}

/** Counts characters examined, so tests can check the work stays linear. */
export class WorkMeter {
  count = 0;
  add(chars: number): void {
    this.count += chars;
  }
}
