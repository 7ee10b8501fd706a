/**
 * Opens, fills and closes cells as events. Whitespace is held back until text
 * follows it, so appends never need taking back: a cell's appends add up to its
 * final source, which has no leading blank lines and no trailing whitespace.
 */
import { firstNonSpace, lastNonSpace } from './text.ts';
import type { BlockKind, SplitEvent, SplitKind, WorkMeter } from './types.ts';

/** Kinds whose cells open only once they have some non-blank text. */
export type LazyKind = 'prose' | 'reasoning';

interface OpenCell {
  index: number;
  kind: SplitKind;
  /** Blocks open before any text; prose and reasoning open on their first text. */
  lazy: boolean;
  parts: string[];
  /** Whitespace not yet emitted: it is only emitted once text follows. */
  held: string;
  started: boolean;
}

/** Keeps the indent of the first line but drops the blank lines above it. */
function indentOnly(leadingSpace: string): string {
  return leadingSpace.slice(leadingSpace.lastIndexOf('\n') + 1);
}

export class CellWriter {
  private events: SplitEvent[] = [];
  private cell: OpenCell | null = null;
  private nextIndex = 0;
  /** Whitespace written for a lazy kind whose cell is not open yet. */
  private lead = '';
  private leadKind: LazyKind | null = null;

  constructor(private readonly meter: WorkMeter) {}

  /** The kind of the open cell, if any. */
  get openKind(): SplitKind | null {
    return this.cell?.kind ?? null;
  }

  /** Events produced since the last call. */
  drain(): SplitEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  /** Adds prose or reasoning text, opening a cell of that kind when text (not just space) arrives. */
  write(kind: LazyKind, text: string): void {
    if (text === '') return;
    if (this.cell !== null && this.cell.lazy && this.cell.kind === kind) {
      this.append(text);
      return;
    }
    this.meter.add(text.length);
    const first = firstNonSpace(text);
    if (this.leadKind !== kind) [this.lead, this.leadKind] = ['', kind];
    if (first < 0) {
      this.lead += text;
      return;
    }
    const indent = indentOnly(this.lead + text.slice(0, first));
    [this.lead, this.leadKind] = ['', null];
    const cell = this.open(kind, true, null, false);
    cell.held = indent;
    cell.started = true;
    this.append(text.slice(first));
  }

  /** Opens a code or test cell at once: the caller wants to see it while it streams. */
  openBlock(kind: BlockKind, lang: string | null, runnable: boolean, note?: string): void {
    this.open(kind, false, lang, runnable, note);
  }

  /** Adds text to the open cell. */
  append(text: string): void {
    const cell = this.cell;
    if (cell === null || text === '') return;
    this.meter.add(text.length);
    const last = lastNonSpace(text);
    if (last < 0) {
      cell.held += text;
      return;
    }
    let out: string;
    if (cell.started) {
      out = cell.held + text.slice(0, last + 1);
    } else {
      const first = firstNonSpace(text);
      out = indentOnly(cell.held + text.slice(0, first)) + text.slice(first, last + 1);
      cell.started = true;
    }
    cell.held = text.slice(last + 1);
    cell.parts.push(out);
    this.events.push({ type: 'cell-append', index: cell.index, text: out });
  }

  /** Closes the open cell; held trailing whitespace is dropped. */
  close(complete = true): void {
    const cell = this.cell;
    if (cell === null) return;
    this.cell = null;
    const source = cell.parts.join('');
    this.meter.add(source.length);
    this.events.push({ type: 'cell-close', index: cell.index, source, complete });
  }

  private open(kind: SplitKind, lazy: boolean, lang: string | null, runnable: boolean, note?: string): OpenCell {
    this.close();
    const index = this.nextIndex++;
    const cell: OpenCell = { index, kind, lazy, parts: [], held: '', started: false };
    this.cell = cell;
    this.events.push(
      note === undefined
        ? { type: 'cell-open', index, kind, lang, runnable }
        : { type: 'cell-open', index, kind, lang, runnable, note },
    );
    return cell;
  }
}
