/**
 * The heartbeat: a REQ socket that echoes a ping. One socket for the kernel's
 * whole life, relaxed and correlated so a missed reply does not leave it stuck:
 * recreating it would follow the socket's path again (see Channel's `reconnect`).
 * `onDead` fires once, after `maxMisses` pings in a row went unanswered.
 */
import { Request } from 'zeromq';
import { connectOnce } from './channel.ts';

export interface HeartbeatOptions {
  intervalMs?: number;
  maxMisses?: number;
  /** Let ZeroMQ reconnect after the kernel drops the connection (tcp only; see Channel). */
  reconnect?: boolean;
}

export class Heartbeat {
  #closed = false;
  readonly #socket: Request;
  /** Ends the pause between pings early, so close() does not wait out the interval. */
  #wake: (() => void) | null = null;
  readonly #done: Promise<void>;
  readonly intervalMs: number;
  readonly maxMisses: number;

  constructor(
    readonly endpoint: string,
    readonly onDead: (silentMs: number) => void,
    opts: HeartbeatOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 500;
    this.maxMisses = opts.maxMisses ?? 3;
    this.#socket = new Request({
      linger: 0,
      receiveTimeout: this.intervalMs,
      sendTimeout: this.intervalMs,
      relaxed: true,
      correlate: true,
      ...connectOnce(opts.reconnect ?? true),
    });
    this.#socket.connect(endpoint);
    this.#done = this.#run();
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#socket.close();
    this.#wake?.();
    return this.#done;
  }

  async #run(): Promise<void> {
    let misses = 0;
    while (!this.#closed) {
      const started = Date.now();
      try {
        await this.#socket.send('ping');
        await this.#socket.receive();
        misses = 0;
      } catch {
        if (this.#closed) break;
        misses += 1;
        if (misses >= this.maxMisses) {
          this.#closed = true;
          this.#socket.close();
          this.onDead(misses * this.intervalMs);
          return;
        }
      }
      const rest = this.intervalMs - (Date.now() - started);
      if (rest > 0 && !this.#closed) await this.#pause(rest);
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
