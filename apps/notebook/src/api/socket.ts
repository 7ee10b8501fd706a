/**
 * One notebook's WebSocket: parses server messages, checks their order, and
 * reconnects with backoff. A gap in `seq` means an event was lost, so the
 * connection is dropped and a fresh snapshot fetched rather than drawing a
 * document that silently differs from the server's. When a connection ends
 * without the page asking, the owner decides whether to try again: a deleted
 * notebook, or one the server refuses to open, is not retried.
 */
import type { ClientCommand, ServerMessage } from '@duet/server/protocol';
import { assertNever } from '../util/assert-never.ts';
import { claimEarlySocket } from './early-socket.ts';

/** Where the connection stands, for the "Reconnecting…" banner. */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A connection that ended without the page asking. */
export interface SocketClose {
  code: number;
  reason: string;
  /** A snapshot arrived on this connection; false when it failed to open. */
  opened: boolean;
}

/** What to do after a close: retry with backoff, retry at once, or give up for good. */
export type CloseDecision = 'reconnect' | 'reconnect-now' | 'stop';

/** What the socket reports to its owner. */
export interface SocketHandlers {
  onMessage(message: ServerMessage): void;
  onStatus(status: ConnectionStatus): void;
  /** Decides what follows a close the page did not ask for; may take a moment (to ask the server why). */
  onClose(close: SocketClose): CloseDecision | Promise<CloseDecision>;
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 8_000;

function isServerMessage(value: unknown): value is ServerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; seq?: unknown };
  return (v.type === 'snapshot' || v.type === 'event' || v.type === 'error') && typeof v.seq === 'number';
}

/** A self-healing connection to `/api/notebooks/NAME/ws`. */
export class NotebookSocket {
  private ws: WebSocket | null = null;
  private lastSeq: number | null = null;
  private backoff = MIN_BACKOFF_MS;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private everOpened = false;

  constructor(
    private readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {
    this.connect();
  }

  /** Sends a command; false when the connection is down and it was not sent. */
  send(command: ClientCommand): boolean {
    if (this.ws === null || this.ws.readyState !== WebSocket.OPEN || this.lastSeq === null) return false;
    this.ws.send(JSON.stringify(command));
    return true;
  }

  /** Closes for good: no more reconnects. */
  close(): void {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.ws?.close(1000, 'closed by page');
    this.ws = null;
    this.handlers.onStatus('closed');
  }

  private connect(): void {
    if (this.closed) return;
    this.handlers.onStatus(this.everOpened ? 'reconnecting' : 'connecting');
    // The first connection takes the one the page opened while the app loaded, with what it has received.
    const early = this.everOpened ? null : claimEarlySocket(this.url);
    const ws = early?.ws ?? new WebSocket(this.url);
    this.ws = ws;
    this.lastSeq = null;
    let opened = false;
    const receive = (data: unknown): void => {
      this.receive(data);
      opened ||= this.lastSeq !== null;
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws === ws) receive(ev.data);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      const decision = this.handlers.onClose({ code: ev.code, reason: ev.reason, opened });
      if (decision instanceof Promise) decision.then((d) => this.follow(d), () => this.follow('reconnect'));
      else this.follow(decision);
    };
    // An error is always followed by close; the reconnect happens there.
    ws.onerror = () => undefined;
    for (const data of early?.received ?? []) {
      if (this.ws !== ws) break;
      receive(data);
    }
  }

  private receive(data: unknown): void {
    let message: unknown;
    try {
      message = JSON.parse(String(data));
    } catch {
      return this.resync();
    }
    if (!isServerMessage(message)) return this.resync();
    if (message.type === 'snapshot') {
      this.lastSeq = message.seq;
      this.everOpened = true;
      this.backoff = MIN_BACKOFF_MS;
      this.handlers.onStatus('open');
    } else {
      if (this.lastSeq === null || message.seq !== this.lastSeq + 1) return this.resync();
      this.lastSeq = message.seq;
    }
    this.handlers.onMessage(message);
  }

  /** Drops the connection and asks for a fresh snapshot straight away. */
  private resync(): void {
    const ws = this.ws;
    this.ws = null;
    ws?.close(4000, 'resync');
    this.backoff = MIN_BACKOFF_MS;
    this.connect();
  }

  private follow(decision: CloseDecision): void {
    if (this.closed) return;
    switch (decision) {
      case 'reconnect':
        return this.scheduleReconnect();
      case 'reconnect-now':
        this.backoff = MIN_BACKOFF_MS;
        return this.connect();
      case 'stop':
        this.closed = true;
        this.handlers.onStatus('closed');
        return;
      default:
        return assertNever(decision, 'close decision');
    }
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.handlers.onStatus(this.everOpened ? 'reconnecting' : 'connecting');
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }
}
