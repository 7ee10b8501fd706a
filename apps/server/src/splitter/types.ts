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

/** Counts characters examined, so tests can check the work stays linear. */
export class WorkMeter {
  count = 0;
  add(chars: number): void {
    this.count += chars;
  }
}
