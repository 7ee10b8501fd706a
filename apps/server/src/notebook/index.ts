export { NotebookDocument, IDLE_RUNTIME, idleRun, newCellId } from './document.ts';
export type { DocumentListener, NewCell } from './document.ts';
export { KERNEL_METADATA, toIpynb, fromIpynb, serializeNotebook, cellToJson, NotebookFormatError } from './ipynb.ts';
export { writeFileAtomic } from './atomic.ts';
export { Autosaver } from './autosave.ts';
