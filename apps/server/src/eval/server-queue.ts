/**
 * Requests to one model server wait their turn, so concurrent eval tasks do not
 * make a single GPU swap between models or split its time. A server that batches
 * (vLLM) can take more at once (`--server-concurrency`). Queued per base URL with
 * p-limit; a request holds its place until its stream ends.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { ChatDelta, StreamChatOptions } from '../llm/index.ts';

/** Chat streams, as the generation controller takes them. */
export type ChatStream = (opts: StreamChatOptions) => AsyncIterable<ChatDelta>;

/** Where the time of a task's chat requests went. */
export interface ChatClock {
  /** Waiting for the server's turn. */
  queueMs: number;
  /** From the request to the end of its stream. */
  modelMs: number;
}

export class ServerQueue {
  readonly #limits = new Map<string, LimitFunction>();

  constructor(readonly perServer: number) {
    if (!(perServer >= 1)) throw new RangeError(`a server queue needs at least 1 request at a time, got ${perServer}`);
  }

  /** Waits for a free place at `baseUrl`; resolves to its release. Rejects if `signal` aborts first. */
  acquire(baseUrl: string, signal?: AbortSignal): Promise<() => void> {
    const key = baseUrl.replace(/\/+$/, '');
    let limit = this.#limits.get(key);
    if (!limit) {
      limit = pLimit(this.perServer);
      this.#limits.set(key, limit);
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        reject(signal?.reason instanceof Error ? signal.reason : new Error('the request was cancelled while it waited for the model server'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      void limit(
        () =>
          new Promise<void>((release) => {
            signal?.removeEventListener('abort', onAbort);
            // Cancelled while queued: give the place straight back.
            if (settled) return release();
            settled = true;
            resolve(release);
          }),
      );
    });
  }

  /** `chat`, queued per server, with its time added to `clock`. */
  wrap(chat: ChatStream, clock: ChatClock, now: () => number = Date.now): ChatStream {
    return (opts) => this.#queued(chat, opts, clock, now);
  }

  /** One request: its place in the queue is held until its stream ends, however it ends. */
  async *#queued(chat: ChatStream, opts: StreamChatOptions, clock: ChatClock, now: () => number): AsyncGenerator<ChatDelta, void, undefined> {
    const asked = now();
    const release = await this.acquire(opts.baseUrl, opts.signal);
    const started = now();
    clock.queueMs += started - asked;
    try {
      yield* chat(opts);
    } finally {
      clock.modelMs += now() - started;
      release();
    }
  }
}
