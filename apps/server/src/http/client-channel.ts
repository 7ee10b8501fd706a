/**
 * One browser connection's outgoing side: numbers every message, merges a
 * model's token-by-token `source-appended` events into one per cell per short
 * window, sends only the latest of a cell's `outputs-set` events in that window
 * (a display updated in a loop replaces the whole list each time), and drops a
 * client that cannot keep up rather than buffer for it without bound (it
 * reconnects and gets a fresh snapshot).
 */
import type { WebSocket } from 'ws';
import type { DocumentEvent, NotebookSnapshot, ServerMessage } from '../protocol/index.ts';

export interface ClientChannelOptions {
  /** How long `source-appended` events wait to be merged. */
  coalesceMs: number;
  /** Bytes queued in the socket past which the client is dropped. */
  maxBufferedBytes: number;
  /** Called once when the client is dropped for falling behind. */
  onDropped: () => void;
}

/** The outgoing side of one browser's socket: numbered messages, merged token events, a bound on backlog. */
export class ClientChannel {
  #seq = 0;
  #pending: DocumentEvent[] = [];
  #timer: NodeJS.Timeout | null = null;
  #dropped = false;

  constructor(
    readonly ws: WebSocket,
    readonly opts: ClientChannelOptions,
  ) {}

  snapshot(notebook: NotebookSnapshot): void {
    this.#send({ type: 'snapshot', seq: ++this.#seq, notebook });
  }

  /** Queues an event; everything but token appends and output sets goes out at once, after what is queued. */
  event(event: DocumentEvent): void {
    if (this.#dropped) return;
    if (event.type === 'source-appended') {
      const last = this.#pending[this.#pending.length - 1];
      if (last?.type === 'source-appended' && last.id === event.id) {
        this.#pending[this.#pending.length - 1] = { ...last, text: last.text + event.text };
      } else {
        this.#pending.push(event);
      }
      this.#timer ??= setTimeout(() => this.flush(), this.opts.coalesceMs);
      return;
    }
    if (event.type === 'outputs-set') {
      // Only source appends and output sets wait here, and a later set says all an earlier one did.
      this.#pending = this.#pending.filter((e) => !(e.type === 'outputs-set' && e.id === event.id));
      this.#pending.push(event);
      this.#timer ??= setTimeout(() => this.flush(), this.opts.coalesceMs);
      return;
    }
    this.#pending.push(event);
    this.flush();
  }

  /** An error for this client only, in sequence with its events. */
  error(message: string, command?: string): void {
    this.flush();
    this.#send({ type: 'error', seq: ++this.#seq, message, ...(command !== undefined ? { command } : {}) });
  }

  flush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const events = this.#pending;
    this.#pending = [];
    for (const event of events) this.#send({ type: 'event', seq: ++this.#seq, event });
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending = [];
  }

  #send(message: ServerMessage): void {
    if (this.#dropped || this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.opts.maxBufferedBytes) {
      this.#dropped = true;
      this.close();
      // close() would first wait for the very backlog that is the problem.
      this.ws.terminate();
      this.opts.onDropped();
      return;
    }
    this.ws.send(JSON.stringify(message));
  }
}
