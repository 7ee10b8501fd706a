export type { SplitKind, SplitEvent, SplitCell, BlockKind, CellSplitterOptions, SplitterStats } from './types.ts';
export { CellSplitter } from './cell-splitter.ts';
export { splitText, collectCells } from './split-text.ts';
export { markerLineKind, isPythonLang } from './markers.ts';
