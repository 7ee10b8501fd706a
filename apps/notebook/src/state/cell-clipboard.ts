/**
 * Cells copied and cells deleted, for Jupyter's C/X/V and Z. A copy keeps what
 * a cell is (its type, its role, its text), not its outputs, as Jupyter's does.
 */
import type { ClientCommand, NotebookCell } from '@duet/server/protocol';

/** A cell as `restore-cell` sends it back. */
export type CellCopy = Extract<ClientCommand, { type: 'restore-cell' }>['cell'];

/** The parts of a cell that a copy keeps. */
export function copyOf(cell: NotebookCell): CellCopy {
  return { cellType: cell.cellType, source: cell.source, role: cell.duet.role };
}

// One clipboard for the tab, as in Jupyter: a cell copied in one notebook pastes into another.
let clipboard: CellCopy | null = null;

/** Remembers a cell for V. */
export function copyCell(cell: NotebookCell): void {
  clipboard = copyOf(cell);
}

/** The cell V pastes, or null when nothing was copied. */
export function copiedCell(): CellCopy | null {
  return clipboard;
}

/** How many deletions Z can undo. */
const MAX_DELETED = 50;

/** Deleted cells with the place each was at, newest last. */
export class DeletedCells {
  private readonly stack: { index: number; cell: CellCopy }[] = [];

  /** Remembers a cell about to be deleted from `index`. */
  push(index: number, cell: NotebookCell): void {
    this.stack.push({ index, cell: copyOf(cell) });
    if (this.stack.length > MAX_DELETED) this.stack.shift();
  }

  /** The latest deletion, forgotten here; undefined when there is none. */
  pop(): { index: number; cell: CellCopy } | undefined {
    return this.stack.pop();
  }
}
