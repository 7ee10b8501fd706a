export { NotebookDocument, IDLE_RUNTIME, idleRun, newCellId, DEFAULT_NOTEBOOK_LIMITS, CELL_BYTES } from './document.ts';
export type { DocumentListener, NewCell, NotebookLimits, OutputCut } from './document.ts';
export { KERNEL_METADATA, toIpynb, fromIpynb, serializeNotebook, cellToJson, NotebookFormatError } from './ipynb.ts';
export { writeFileAtomic } from './atomic.ts';
export { Autosaver } from './autosave.ts';
