/**
 * Saves a document while it changes: at most once per `intervalMs`, so a crash
 * loses at most about that much, and never two writes of one file at once.
 */
import type { NotebookDocument } from './document.ts';
import { writeFileAtomic } from './atomic.ts';
import { serializeNotebook } from './ipynb.ts';

export class Autosaver {
  #savedVersion = -1;
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();
  readonly #unsubscribe: () => void;

  constructor(
    readonly doc: NotebookDocument,
    public path: string,
    readonly intervalMs = 500,
    readonly onError: (err: unknown) => void = () => {},
  ) {
    this.#unsubscribe = doc.on((e) => {
      // Runtime-only events change nothing on disk.
      if (e.type === 'cell-runtime' || e.type === 'run-state' || e.type === 'kernel-state' || e.type === 'notice') return;
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.flush().catch(this.onError);
    }, this.intervalMs);
  }

  /** Writes now if anything changed since the last write. */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const next = this.#writing.then(async () => {
      if (this.doc.version === this.#savedVersion) return;
      const version = this.doc.version;
      await writeFileAtomic(this.path, serializeNotebook(this.doc));
      this.#savedVersion = version;
    });
    // A failed write must not wedge the chain; the caller still sees it fail.
    this.#writing = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    await this.flush();
  }
}
