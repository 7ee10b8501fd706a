/**
 * Which cells show their outputs: all of them or none (the toolbar's "Collapse
 * all"/"Expand all"), and per cell the exceptions the person made since.
 */

export interface OutputFolds {
  /** What a cell does unless the person toggled it since the last "all". */
  readonly allCollapsed: boolean;
  /** Cells toggled one by one: true when collapsed. */
  readonly cells: ReadonlyMap<string, boolean>;
}

/** Every output shown. */
export const ALL_EXPANDED: OutputFolds = { allCollapsed: false, cells: new Map() };

/** True when the cell's outputs are folded away. */
export function isCollapsed(folds: OutputFolds, id: string): boolean {
  return folds.cells.get(id) ?? folds.allCollapsed;
}

/** Folds or unfolds one cell's outputs. */
export function toggleCell(folds: OutputFolds, id: string): OutputFolds {
  const cells = new Map(folds.cells);
  cells.set(id, !isCollapsed(folds, id));
  return { ...folds, cells };
}

/** Every cell collapsed, or every cell expanded, forgetting the exceptions. */
export function foldAll(collapsed: boolean): OutputFolds {
  return { allCollapsed: collapsed, cells: new Map() };
}
