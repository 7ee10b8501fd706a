/**
 * The heartbeat: a REQ socket that echoes a ping. A REQ socket that missed its
 * reply is stuck in the wrong state, so it is recreated after every timeout.
 * `onDead` fires once, after `maxMisses` pings in a row went unanswered.
 */
import { Request } from 'zeromq';

export class Heartbeat {
  #closed = false;
  #socket: Request | null = null;
  /** Ends the pause between pings early, so close() does not wait out the interval. */
  #wake: (() => void) | null = null;
  readonly #done: Promise<void>;

  constructor(
    readonly endpoint: string,
    readonly onDead: (silentMs: number) => void,
    readonly intervalMs = 500,
    readonly maxMisses = 3,
  ) {
    this.#done = this.#run();
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#socket?.close();
    this.#wake?.();
    return this.#done;
  }

  async #run(): Promise<void> {
    let misses = 0;
    while (!this.#closed) {
      const socket = new Request({ linger: 0, receiveTimeout: this.intervalMs, sendTimeout: this.intervalMs });
      this.#socket = socket;
      socket.connect(this.endpoint);
      try {
        while (!this.#closed) {
          const started = Date.now();
          await socket.send('ping');
          await socket.receive();
          misses = 0;
          const rest = this.intervalMs - (Date.now() - started);
          if (rest > 0 && !this.#closed) await this.#pause(rest);
        }
      } catch {
        if (this.#closed) break;
        misses += 1;
        if (misses >= this.maxMisses) {
          this.#closed = true;
          socket.close();
          this.onDead(misses * this.intervalMs);
          return;
        }
      }
      socket.close();
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#wake?.(), ms);
      timer.unref();
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }
}
