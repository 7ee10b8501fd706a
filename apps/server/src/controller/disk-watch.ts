/**
 * Watches a kernel's workdir while a cell runs. The sandbox limits each file's
 * size; this limits their total: past it, the cell is stopped and told why.
 */
import { directoryBytes } from '@duet/kernel';

export class DiskWatch {
  exceeded = false;
  #timer: NodeJS.Timeout | null = null;
  /** The measurement under way, if any: one at a time. */
  #measuring: Promise<void> | null = null;
  /** Between start() and stop(): only then does passing the limit stop the cell. */
  #watching = false;

  constructor(
    readonly workdir: string,
    readonly limitBytes: number,
    readonly onExceeded: () => void,
    readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.#watching = true;
    this.#timer = setInterval(() => void this.check(), this.intervalMs);
    this.#timer.unref();
  }

  /**
   * Measures and says whether the limit is passed. A call made while a measurement
   * is under way waits for it and then measures afresh, so its answer is as of the
   * call: the look after a cell ends must not be answered by a look from before.
   * While watching, the first pass fires `onExceeded`; after stop(), it only sets `exceeded`.
   */
  async check(): Promise<boolean> {
    while (this.#measuring) await this.#measuring;
    if (this.exceeded) return true;
    const measuring = this.#measure();
    this.#measuring = measuring;
    try {
      await measuring;
    } finally {
      if (this.#measuring === measuring) this.#measuring = null;
    }
    return this.exceeded;
  }

  stop(): void {
    this.#watching = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #measure(): Promise<void> {
    const bytes = await directoryBytes(this.workdir, this.limitBytes).catch(() => 0);
    if (bytes <= this.limitBytes || this.exceeded) return;
    this.exceeded = true;
    const watching = this.#watching;
    this.stop();
    if (watching) this.onExceeded();
  }
}

/** Bytes as a limit is read: `1 GB`, `32 MB`, `512 KB`. */
export function formatLimit(bytes: number): string {
  const unit = (n: number, size: number, name: string): string => `${(n / size).toFixed(n % size === 0 || n / size >= 10 ? 0 : 1)} ${name}`;
  if (bytes >= 1024 ** 3) return unit(bytes, 1024 ** 3, 'GB');
  if (bytes >= 1024 ** 2) return unit(bytes, 1024 ** 2, 'MB');
  return `${Math.round(bytes / 1024)} KB`;
}
