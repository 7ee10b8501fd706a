/**
 * One browser connection's outgoing side: numbers every message, merges a
 * model's token-by-token `source-appended` events into one per cell per short
 * window, sends only the latest of a cell's `outputs-set` events in that window
 * (a display updated in a loop replaces the whole list each time), and drops a
 * client that cannot keep up rather than buffer for it without bound (it
 * reconnects and gets a fresh snapshot).
 *
 * What one piece of synchronous work produces leaves together, in one write, from
 * a microtask queued with its first event: a cell that starts sends its "queued",
 * "cleared" and "running" as one packet, and a cell that ends its outputs and
 * "idle". A microtask, not a later turn of the event loop: the events must be on
 * the wire before any answer that the same work leads to, such as the HTTP 202 of
 * a run started over the API, which a client reads as "the events are sent".
 * Nothing waits longer than that except token appends and output sets arriving
 * while a window is open: the first of them goes out at once, those after it
 * together when the window closes.
 */
import type { WebSocket } from 'ws';
import type { DocumentEvent, NotebookSnapshot, ServerMessage } from '../protocol/index.ts';

export interface ClientChannelOptions {
  /** How long token appends and output sets are merged after one went out. */
  coalesceMs: number;
  /** Bytes queued in the socket past which the client is dropped. */
  maxBufferedBytes: number;
  /** Called once when the client is dropped for falling behind. */
  onDropped: () => void;
  /** The connection under the WebSocket: corked while a batch is written, so the batch's frames leave in one write. */
  transport?: { cork(): void; uncork(): void };
}

/** A queued event: merged ones stay objects until sent; every other is encoded when it happens, as the document had it then. */
interface Queued {
  event: DocumentEvent;
  json: string | null;
}

/**
 * An event's JSON, shared by every browser of the notebook: the document hands the
 * same event object to each channel in the same moment, and it is encoded once.
 * Merged events are encoded by each channel when they go (their objects are not the document's).
 */
const encoded = new WeakMap<DocumentEvent, string>();

function encode(event: DocumentEvent): string {
  let json = encoded.get(event);
  if (json === undefined) {
    json = JSON.stringify(event);
    encoded.set(event, json);
  }
  return json;
}

const merges = (e: DocumentEvent): boolean => e.type === 'source-appended' || e.type === 'outputs-set';

/** The outgoing side of one browser's socket: numbered messages, merged token events, a bound on backlog. */
export class ClientChannel {
  #seq = 0;
  #pending: Queued[] = [];
  /** The merge window: open from a merged event's sending until `coalesceMs` later. */
  #window: NodeJS.Timeout | null = null;
  /** A flush is due in a microtask already queued. */
  #due = false;
  #dropped = false;
  #closed = false;

  constructor(
    readonly ws: WebSocket,
    readonly opts: ClientChannelOptions,
  ) {}

  snapshot(notebook: NotebookSnapshot): void {
    this.#send(JSON.stringify({ type: 'snapshot', seq: ++this.#seq, notebook } satisfies ServerMessage));
  }

  /** Queues an event; everything but token appends and output sets goes out when the current work ends, with what is queued. */
  event(event: DocumentEvent): void {
    if (this.#dropped || this.#closed) return;
    if (event.type === 'source-appended') {
      const last = this.#pending[this.#pending.length - 1];
      if (last?.event.type === 'source-appended' && last.event.id === event.id) {
        last.event = { ...last.event, text: last.event.text + event.text };
      } else {
        this.#pending.push({ event, json: null });
      }
      return this.#merging();
    }
    if (event.type === 'outputs-set') {
      // A later set says all an earlier one did, back to the last event that is not merged (it went, or goes, in its place).
      for (let i = this.#pending.length - 1; i >= 0; i--) {
        const queued = (this.#pending[i] as Queued).event;
        if (!merges(queued)) break;
        if (queued.type === 'outputs-set' && queued.id === event.id) {
          this.#pending.splice(i, 1);
          break;
        }
      }
      this.#pending.push({ event, json: null });
      return this.#merging();
    }
    this.#pending.push({ event, json: encode(event) });
    this.#flushSoon();
  }

  /** An error for this client only, in sequence with its events. */
  error(message: string, command?: string): void {
    this.flush();
    this.#send(JSON.stringify({ type: 'error', seq: ++this.#seq, message, ...(command !== undefined ? { command } : {}) } satisfies ServerMessage));
  }

  /** Sends everything queued now, in one write. */
  flush(): void {
    this.#due = false;
    const queued = this.#pending;
    if (queued.length === 0) return;
    this.#pending = [];
    const transport = queued.length > 1 ? this.opts.transport : undefined;
    transport?.cork();
    try {
      for (const q of queued) this.#send(`{"type":"event","seq":${++this.#seq},"event":${q.json ?? JSON.stringify(q.event)}}`);
    } finally {
      transport?.uncork();
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#window) clearTimeout(this.#window);
    this.#window = null;
    this.#pending = [];
  }

  /** A merged event was queued: it goes now when no window is open, else when the window closes. */
  #merging(): void {
    if (this.#window !== null) return;
    this.#openWindow();
    this.#flushSoon();
  }

  #openWindow(): void {
    this.#window = setTimeout(() => {
      this.#window = null;
      if (this.#closed || this.#pending.length === 0) return;
      // What waited goes now, and what follows it waits for a window of its own: a flood stays one message per window.
      this.flush();
      this.#openWindow();
    }, this.opts.coalesceMs);
  }

  #flushSoon(): void {
    if (this.#due) return;
    this.#due = true;
    queueMicrotask(() => {
      if (this.#due && !this.#closed) this.flush();
    });
  }

  #send(message: string): void {
    if (this.#dropped || this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.opts.maxBufferedBytes) {
      this.#dropped = true;
      this.close();
      // close() would first wait for the very backlog that is the problem.
      this.ws.terminate();
      this.opts.onDropped();
      return;
    }
    this.ws.send(message);
  }
}
