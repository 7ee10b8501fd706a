/**
 * A browser's copy of a notebook, kept the way the protocol promises it can be:
 * a snapshot, then each event applied in order. Tests compare mirrors with each
 * other and with the saved file.
 */
import { assertNever } from '@duet/kernel';
import type { DocumentEvent, NbOutput, NotebookSnapshot } from '@duet/server/protocol';

/** Applies one event to a snapshot, in place. */
export function applyEvent(nb: NotebookSnapshot, e: DocumentEvent): void {
  const cell = (id: string) => nb.cells.find((c) => c.id === id);
  switch (e.type) {
    case 'cell-added':
      nb.cells.splice(e.index, 0, structuredClone(e.cell));
      nb.runtime[e.cell.id] = { ...e.runtime };
      return;
    case 'cell-removed':
      nb.cells = nb.cells.filter((c) => c.id !== e.id);
      delete nb.runtime[e.id];
      return;
    case 'cell-moved': {
      const i = nb.cells.findIndex((c) => c.id === e.id);
      const [moved] = nb.cells.splice(i, 1);
      if (moved) nb.cells.splice(e.index, 0, moved);
      return;
    }
    case 'source-appended': {
      const c = cell(e.id);
      if (c) c.source += e.text;
      return;
    }
    case 'source-set': {
      const c = cell(e.id);
      if (c) c.source = e.source;
      return;
    }
    case 'outputs-cleared': {
      const c = cell(e.id);
      if (c) {
        c.outputs = [];
        c.executionCount = null;
      }
      return;
    }
    case 'output-appended': {
      const c = cell(e.id);
      if (c) appendOutput(c.outputs, e.output);
      return;
    }
    case 'outputs-set': {
      const c = cell(e.id);
      if (c) {
        c.outputs = structuredClone(e.outputs);
        c.executionCount = e.executionCount;
      }
      return;
    }
    case 'cell-meta': {
      const c = cell(e.id);
      if (c) c.duet = structuredClone(e.duet);
      return;
    }
    case 'cell-runtime':
      nb.runtime[e.id] = { ...e.runtime };
      return;
    case 'notebook-meta':
      nb.meta = structuredClone(e.meta);
      return;
    case 'run-state':
      nb.run = { ...e.run };
      return;
    case 'kernel-state':
      nb.kernel = e.kernel;
      return;
    case 'notice':
      return;
    default:
      assertNever(e, 'document event');
  }
}

/** Streams of one name merge into the last output, as the kernel's output area does. */
function appendOutput(outputs: NbOutput[], output: NbOutput): void {
  const last = outputs[outputs.length - 1];
  if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name) {
    outputs[outputs.length - 1] = { ...last, text: last.text + output.text };
  } else {
    outputs.push(structuredClone(output));
  }
}
