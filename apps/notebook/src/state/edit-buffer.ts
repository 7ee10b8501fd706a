/**
 * Typing is sent as `edit-source` once the person pauses (300 ms), and at once
 * before anything that depends on the text: running the cell, leaving it, or
 * closing the notebook.
 */
import type { NotebookStore } from './store.ts';

const DEBOUNCE_MS = 300;

/** Per-cell debounced edits for one notebook. */
export class EditBuffer {
  private readonly pending = new Map<string, { text: string; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly store: NotebookStore) {}

  /** Records the cell's latest text and sends it after a pause. */
  change(id: string, text: string): void {
    const existing = this.pending.get(id);
    if (existing) clearTimeout(existing.timer);
    this.pending.set(id, { text, timer: setTimeout(() => this.flush(id), DEBOUNCE_MS) });
  }

  /** Sends the cell's pending edit now, if it has one. */
  flush(id: string): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(id);
    this.store.editSource(id, entry.text);
  }

  /** Sends every pending edit now. */
  flushAll(): void {
    for (const id of [...this.pending.keys()]) this.flush(id);
  }
}
