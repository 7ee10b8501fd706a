/** What a cell asks of the notebook around it. One stable object per notebook. */
import type { EditorHandle } from './CodeEditor.tsx';

/** Kinds of cell a person can add by hand. */
export type NewCellKind = 'code' | 'test' | 'markdown';

/** A change of kind: Jupyter's M and Y, and T between code and test. */
export type KindChange = 'to-markdown' | 'to-code' | 'code-test';

/** Commands and selection, addressed by cell id so cells need not know their index. */
export interface CellActions {
  select(id: string): void;
  /** Leaves the editor for command mode on this cell. */
  escape(id: string): void;
  change(id: string, text: string): void;
  flush(id: string): void;
  run(id: string): void;
  /** Selects the cell after this one (Shift+Enter). */
  advance(id: string): void;
  add(id: string, where: 'above' | 'below', kind: NewCellKind): void;
  remove(id: string): void;
  move(id: string, delta: -1 | 1): void;
  /** Changes the cell's kind, when the change applies to it. */
  changeKind(id: string, change: KindChange): void;
  /** Folds or unfolds the cell's outputs (O). */
  toggleOutputs(id: string): void;
  registerEditor(id: string, handle: EditorHandle | null): void;
}
