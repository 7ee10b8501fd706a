/**
 * Whether a kernel is busy outside any cell: a thread or process that a cell
 * started and left running burns CPU while the kernel reports itself idle (its
 * status only covers the requests it is answering). While no cell runs and the
 * kernel says it is idle, the CPU time of its process tree is sampled; more than
 * half a core over a sample counts as busy.
 */
import type { KernelConnection } from '@duet/kernel';
import { processTreeCpuMs } from './kernel-cpu.ts';

export interface BackgroundWatchOptions {
  kernel: KernelConnection;
  /** True while no cell is queued or running. */
  quiet: () => boolean;
  /** Called when the verdict changes. */
  onChange: (busy: boolean) => void;
  intervalMs: number;
  /** Share of one core, over a sample, that counts as busy. */
  threshold?: number;
}

export class BackgroundWatch {
  #busy = false;
  #last: { pid: number; cpuMs: number; at: number } | null = null;
  /** Bumped by reset(): a sample that began before it is not used. */
  #epoch = 0;
  #sampling = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(readonly opts: BackgroundWatchOptions) {}

  /** True when the last sample found the kernel busy with no cell running. */
  get busy(): boolean {
    return this.#busy;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.#sample(), this.opts.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.reset();
  }

  /** Starts measuring afresh: a cell started or ended, or the kernel changed state, so CPU used until now is not the background's. */
  reset(): void {
    this.#epoch += 1;
    this.#last = null;
    this.#set(false);
  }

  async #sample(): Promise<void> {
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      const { kernel, quiet } = this.opts;
      const pid = kernel.pid;
      if (pid === null || kernel.state !== 'idle' || !quiet()) return this.reset();
      const epoch = this.#epoch;
      const cpuMs = await processTreeCpuMs(pid);
      const at = performance.now();
      if (epoch !== this.#epoch) return;
      if (cpuMs === null) return this.reset();
      const last = this.#last;
      this.#last = { pid, cpuMs, at };
      if (last === null || last.pid !== pid || at <= last.at) return;
      this.#set((cpuMs - last.cpuMs) / (at - last.at) >= (this.opts.threshold ?? 0.5));
    } finally {
      this.#sampling = false;
    }
  }

  #set(busy: boolean): void {
    if (this.#busy === busy) return;
    this.#busy = busy;
    this.opts.onChange(busy);
  }
}
