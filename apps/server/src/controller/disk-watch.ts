/**
 * Watches a kernel's workdir while a cell runs. The sandbox limits each file's
 * size; this limits their total: past it, the cell is stopped and told why.
 */
import { directoryBytes } from '@duet/kernel';

export class DiskWatch {
  exceeded = false;
  #timer: NodeJS.Timeout | null = null;
  #checking = false;

  constructor(
    readonly workdir: string,
    readonly limitBytes: number,
    readonly onExceeded: () => void,
    readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.check(), this.intervalMs);
    this.#timer.unref();
  }

  /** Measures once; fires `onExceeded` the first time the limit is passed. */
  async check(): Promise<boolean> {
    if (this.exceeded || this.#checking) return this.exceeded;
    this.#checking = true;
    try {
      if ((await directoryBytes(this.workdir, this.limitBytes)) > this.limitBytes) {
        this.exceeded = true;
        this.stop();
        this.onExceeded();
      }
    } finally {
      this.#checking = false;
    }
    return this.exceeded;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

export function formatLimit(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(bytes % 1024 ** 3 === 0 ? 0 : 1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`;
}
