/**
 * The notebook as the browser holds it: a server snapshot with events applied in
 * order. Pure, and sharing structure: a cell object changes identity only when
 * that cell changed, so memoized cell components skip re-rendering the rest.
 */
import type { DocumentEvent, NbOutput, NotebookCell, NotebookSnapshot } from '@duet/server/protocol';
import { assertNever } from '../util/assert-never.ts';

function clampIndex(index: number, length: number): number {
  if (!Number.isFinite(index)) return length;
  return Math.max(0, Math.min(Math.trunc(index), length));
}

function updateCell(
  nb: NotebookSnapshot,
  id: string,
  update: (cell: NotebookCell) => NotebookCell,
): NotebookSnapshot {
  const index = nb.cells.findIndex((c) => c.id === id);
  const cell = nb.cells[index];
  // An event for a cell we never saw: the snapshot is authoritative, so ignore it.
  if (cell === undefined) return nb;
  const next = update(cell);
  if (next === cell) return nb;
  const cells = nb.cells.slice();
  cells[index] = next;
  return { ...nb, cells };
}

/** Appends an output, merging consecutive stream chunks of one name as Jupyter does. */
export function appendOutput(outputs: readonly NbOutput[], output: NbOutput): NbOutput[] {
  const last = outputs[outputs.length - 1];
  if (
    last !== undefined &&
    last.output_type === 'stream' &&
    output.output_type === 'stream' &&
    last.name === output.name
  ) {
    const merged = outputs.slice(0, -1);
    merged.push({ ...last, text: last.text + output.text });
    return merged;
  }
  return [...outputs, output];
}

/** Applies one event to a snapshot and returns the new snapshot; never mutates. */
export function applyEvent(nb: NotebookSnapshot, event: DocumentEvent): NotebookSnapshot {
  switch (event.type) {
    case 'cell-added': {
      const without = nb.cells.filter((c) => c.id !== event.cell.id);
      const cells = without.slice();
      cells.splice(clampIndex(event.index, without.length), 0, event.cell);
      return { ...nb, cells, runtime: { ...nb.runtime, [event.cell.id]: event.runtime } };
    }
    case 'cell-removed': {
      if (!nb.cells.some((c) => c.id === event.id)) return nb;
      const runtime = { ...nb.runtime };
      delete runtime[event.id];
      return { ...nb, cells: nb.cells.filter((c) => c.id !== event.id), runtime };
    }
    case 'cell-moved': {
      const from = nb.cells.findIndex((c) => c.id === event.id);
      const cell = nb.cells[from];
      if (cell === undefined) return nb;
      const cells = nb.cells.slice();
      cells.splice(from, 1);
      cells.splice(clampIndex(event.index, cells.length), 0, cell);
      return { ...nb, cells };
    }
    case 'source-appended':
      if (event.text.length === 0) return nb;
      return updateCell(nb, event.id, (c) => ({ ...c, source: c.source + event.text }));
    case 'source-set':
      return updateCell(nb, event.id, (c) => (c.source === event.source ? c : { ...c, source: event.source }));
    case 'outputs-cleared':
      return updateCell(nb, event.id, (c) => (c.outputs.length === 0 ? c : { ...c, outputs: [] }));
    case 'output-appended':
      return updateCell(nb, event.id, (c) => ({ ...c, outputs: appendOutput(c.outputs, event.output) }));
    case 'outputs-set':
      return updateCell(nb, event.id, (c) => ({ ...c, outputs: event.outputs, executionCount: event.executionCount }));
    case 'cell-meta':
      return updateCell(nb, event.id, (c) => ({ ...c, duet: event.duet }));
    case 'cell-runtime':
      if (!nb.cells.some((c) => c.id === event.id)) return nb;
      return { ...nb, runtime: { ...nb.runtime, [event.id]: event.runtime } };
    case 'notebook-meta':
      return { ...nb, meta: event.meta };
    case 'run-state':
      return { ...nb, run: event.run };
    case 'kernel-state':
      return nb.kernel === event.kernel ? nb : { ...nb, kernel: event.kernel };
    case 'notice':
      // Notices are messages to the person, not part of the document; the store keeps them.
      return nb;
    default:
      return assertNever(event, 'document event');
  }
}

/** Applies a batch of events in order (one animation frame's worth). */
export function applyEvents(nb: NotebookSnapshot, events: readonly DocumentEvent[]): NotebookSnapshot {
  let next = nb;
  for (const event of events) next = applyEvent(next, event);
  return next;
}
