/**
 * The notebook's cells as the page lays them out: turns replaced by Retry folded
 * into one group each, and the line where the current conversation starts.
 */
import type { ModelSlot, NotebookCell } from '@duet/server/protocol';

/** One entry of the cell list. */
export type CellItem =
  | { kind: 'cell'; cell: NotebookCell }
  /** Consecutive cells of one discarded turn, shown folded. */
  | { kind: 'discarded'; key: string; turnKey: string; model: ModelSlot | null; turn: number; cells: NotebookCell[] };

function turnKeyOf(cell: NotebookCell): string {
  const { run, turn, model } = cell.duet;
  return `${run ?? '-'}:${turn}:${model ?? '-'}`;
}

/** Groups each run of discarded cells from the same turn; every other cell stands alone. */
export function groupCells(cells: readonly NotebookCell[]): CellItem[] {
  const items: CellItem[] = [];
  for (const cell of cells) {
    if (cell.duet.discarded !== true) {
      items.push({ kind: 'cell', cell });
      continue;
    }
    const turnKey = turnKeyOf(cell);
    const last = items[items.length - 1];
    if (last?.kind === 'discarded' && last.turnKey === turnKey) last.cells.push(cell);
    // Keyed by its first cell: one turn retried twice leaves two groups, folded apart.
    else items.push({ kind: 'discarded', key: cell.id, turnKey, model: cell.duet.model, turn: cell.duet.turn, cells: [cell] });
  }
  return items;
}

/** The ids of the cells a person can reach now: folded groups hide theirs. */
export function visibleCellIds(items: readonly CellItem[], unfolded: ReadonlySet<string>): string[] {
  const ids: string[] = [];
  for (const item of items) {
    if (item.kind === 'cell') ids.push(item.cell.id);
    else if (unfolded.has(item.key)) for (const c of item.cells) ids.push(c.id);
  }
  return ids;
}

/** `Model A's turn 3, replaced by Retry (2 cells)`. */
export function discardedLabel(model: ModelSlot | null, turn: number, count: number): string {
  const whose = model === null ? `Turn ${turn}` : `Model ${model}'s turn ${turn}`;
  return `${whose}, replaced by Retry (${count} ${count === 1 ? 'cell' : 'cells'})`;
}
