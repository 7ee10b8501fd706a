/**
 * One ZeroMQ socket with exactly one reader and one writer. zeromq v6 allows a
 * single pending receive and a single pending send per socket (a second raises
 * EBUSY), so every frame goes out through one queue and comes in through one loop
 * that hands each checked message to `onMessage`.
 */
import { Dealer, Subscriber } from 'zeromq';
import { WireError } from './errors.ts';
import type { KernelLogger } from './logger.ts';
import type { WireCodec, WireMessage } from './wire.ts';

/** Largest message the client accepts from a kernel; anything larger is dropped by ZeroMQ. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface ChannelOptions {
  name: string;
  kind: 'dealer' | 'sub';
  endpoint: string;
  codec: WireCodec;
  /** Routing id shared by shell and stdin, so the kernel can route input_request to us. */
  routingId?: string;
  /**
   * Reconnect after the kernel drops the connection. Off for ipc: a reconnect
   * follows the socket's path again, and the path then leads wherever the
   * kernel's side last pointed it. A channel that loses its kernel stays silent;
   * the heartbeat and the cell time limit notice.
   */
  reconnect?: boolean;
  log: KernelLogger;
  onMessage: (msg: WireMessage) => void;
}

/**
 * ZeroMQ options for a socket that connects once and never again: no
 * reconnection, and no handshake deadline (the kernel's side may take a while to
 * start reading, and a timed-out handshake would end the only connection).
 */
export function connectOnce(reconnect: boolean): { reconnectInterval?: number; handshakeInterval?: number } {
  return reconnect ? {} : { reconnectInterval: -1, handshakeInterval: 0 };
}

export class Channel {
  readonly #socket: Dealer | Subscriber;
  readonly #opts: ChannelOptions;
  #sending: Promise<void> = Promise.resolve();
  #closed = false;
  readonly loop: Promise<void>;

  constructor(opts: ChannelOptions) {
    this.#opts = opts;
    const common = { linger: 0, maxMessageSize: MAX_MESSAGE_BYTES, ...connectOnce(opts.reconnect ?? true) };
    if (opts.kind === 'sub') {
      const sub = new Subscriber(common);
      sub.subscribe();
      this.#socket = sub;
    } else {
      this.#socket = new Dealer({ ...common, ...(opts.routingId ? { routingId: opts.routingId } : {}) });
    }
    this.#socket.connect(opts.endpoint);
    this.loop = this.#receiveLoop();
  }

  /** Queues frames for sending; resolves when ZeroMQ has taken them. */
  send(frames: Buffer[]): Promise<void> {
    if (this.#opts.kind === 'sub') return Promise.reject(new Error('cannot send on a SUB socket'));
    const socket = this.#socket as Dealer;
    const next = this.#sending.then(async () => {
      if (this.#closed) throw new Error(`${this.#opts.name} channel is closed`);
      await socket.send(frames);
    });
    // The queue must go on after a failed send; the caller still sees the failure.
    this.#sending = next.catch(() => undefined);
    return next;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }

  async #receiveLoop(): Promise<void> {
    const { codec, log, name, onMessage } = this.#opts;
    while (!this.#closed) {
      let frames: Buffer[];
      try {
        frames = await this.#socket.receive();
      } catch (err) {
        if (this.#closed) return;
        log.warn({ channel: name, err: String(err) }, 'kernel socket receive failed');
        return;
      }
      let msg: WireMessage;
      try {
        msg = codec.decode(frames);
      } catch (err) {
        if (err instanceof WireError) {
          // Dropped, never delivered: a kernel that holds the key may still be hostile.
          log.warn({ channel: name, reason: err.reason, err: err.message }, 'rejected kernel message');
          continue;
        }
        throw err;
      }
      try {
        onMessage(msg);
      } catch (err) {
        log.error({ channel: name, err: String(err) }, 'kernel message handler failed');
      }
    }
  }
}
