import { CellSplitter } from './cell-splitter.ts';
import type { CellSplitterOptions, SplitCell, SplitEvent } from './types.ts';

/** Collects the finished cells from a run of splitter events. */
export function collectCells(events: readonly SplitEvent[]): SplitCell[] {
  const opened = new Map<number, Extract<SplitEvent, { type: 'cell-open' }>>();
  const cells: SplitCell[] = [];
  for (const event of events) {
    if (event.type === 'cell-open') opened.set(event.index, event);
    if (event.type !== 'cell-close') continue;
    const open = opened.get(event.index);
    if (open === undefined) throw new Error(`Cell ${event.index} closed without being opened.`);
    const cell: SplitCell = {
      kind: open.kind,
      source: event.source,
      lang: open.lang,
      runnable: open.runnable,
      complete: event.complete,
    };
    if (open.note !== undefined) cell.note = open.note;
    cells.push(cell);
  }
  return cells;
}

/** Splits a whole answer at once; the same cells the streaming splitter would give. */
export function splitText(text: string, options: CellSplitterOptions = {}): SplitCell[] {
  const splitter = new CellSplitter(options);
  return collectCells([...splitter.push(text), ...splitter.end()]);
}
