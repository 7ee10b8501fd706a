/**
 * The remote transport: a gateway's channels WebSocket
 * (`/api/kernels/{id}/channels`), which carries shell, control, stdin and IOPub
 * as JSON messages with a `channel` field. The socket can be opened again with
 * the same session id after it drops: Jupyter Server keeps what the kernel sent
 * meanwhile for that session and replays it. What is sent while it is down
 * waits for it to come back.
 *
 * Everything that arrives is checked for shape before the client sees it: a
 * gateway relays what model-written code makes the kernel send.
 */
import { WebSocket, type RawData } from 'ws';
import type { KernelLogger } from '../logger.ts';
import type { ChannelName } from '../messages.ts';
import type { ConnectTransport, KernelTransport, OutgoingMessage, Receive, SendChannel } from '../transport.ts';
import type { MessageHeader, WireMessage } from '../wire.ts';
import type { Gateway } from './gateway.ts';
import { GatewayError } from './gateway-error.ts';

/** Largest message accepted from the gateway, as for a local kernel's sockets. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Messages held while the socket is down; past this the oldest sends fail. */
const MAX_QUEUED = 1000;

/** How often the socket is pinged; a ping unanswered by the next one counts as a drop. */
const PING_MS = 10_000;

const CHANNELS: ReadonlySet<string> = new Set<ChannelName>(['shell', 'control', 'stdin', 'iopub']);

export interface GatewaySocketOptions {
  gateway: Gateway;
  kernelId: string;
  log: KernelLogger;
  /** The socket closed (or stopped answering pings) without {@link GatewaySocket.close}. */
  onDrop: () => void;
  /** How long one attempt to open the socket may take. */
  openTimeoutMs?: number;
}

interface Queued {
  text: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class GatewaySocket {
  readonly #o: GatewaySocketOptions;
  #ws: WebSocket | null = null;
  #receive: Receive = () => {};
  #sessionId = '';
  #queue: Queued[] = [];
  #closed = false;
  #pinger: NodeJS.Timeout | null = null;

  constructor(o: GatewaySocketOptions) {
    this.#o = o;
  }

  /** For the client: remembers where messages go and which session they belong to. */
  readonly connect: ConnectTransport = (receive, sessionId): KernelTransport => {
    this.#receive = receive;
    this.#sessionId = sessionId;
    return { send: (channel, msg) => this.#send(channel, msg), close: () => this.close() };
  };

  get isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /**
   * Opens the socket (again), with the client's session id; resolves once it is
   * open and the messages that waited have gone out. Rejects with a
   * {@link GatewayError} when the gateway refuses or does not answer.
   */
  open(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the gateway socket is closed'));
    this.#drop();
    const { gateway, kernelId } = this.#o;
    const ws = new WebSocket(gateway.channelsUrl(kernelId, this.#sessionId), {
      headers: gateway.headers,
      maxPayload: MAX_MESSAGE_BYTES,
      handshakeTimeout: this.#o.openTimeoutMs ?? 30_000,
      perMessageDeflate: false,
    });
    this.#ws = ws;
    return new Promise<void>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        reject(GatewayError.fromStatus(gateway.url, 'GET', `/api/kernels/${kernelId}/channels`, res.statusCode ?? 0, res.statusMessage ?? '', ''));
        ws.terminate();
      });
      ws.once('error', (err) => reject(GatewayError.unreachable(gateway.url, err, this.#o.openTimeoutMs ?? 30_000)));
      ws.once('open', () => {
        this.#watch(ws);
        this.#flush();
        resolve();
      });
    });
  }

  /** Closes the socket for good; sends still waiting fail. */
  close(): void {
    this.#closed = true;
    this.#drop();
    for (const q of this.#queue.splice(0)) q.reject(new Error('the gateway socket was closed'));
  }

  /** Cuts the current socket now, as a network fault would (for tests of reconnection). */
  cut(): void {
    this.#ws?.terminate();
  }

  #watch(ws: WebSocket): void {
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('error', (err) => this.#o.log.warn({ err: err.message }, 'gateway socket error'));
    ws.once('close', (code) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.#stopPinging();
      if (this.#closed) return;
      this.#o.log.warn({ kernel: this.#o.kernelId, code }, 'gateway socket dropped');
      this.#o.onDrop();
    });
    let awaitingPong = false;
    ws.on('pong', () => (awaitingPong = false));
    this.#pinger = setInterval(() => {
      if (awaitingPong) {
        this.#o.log.warn({ kernel: this.#o.kernelId }, 'gateway socket did not answer a ping');
        ws.terminate();
        return;
      }
      awaitingPong = true;
      ws.ping();
    }, PING_MS);
    this.#pinger.unref();
  }

  /** Forgets the current socket without news: a new one takes its place, or none. */
  #drop(): void {
    this.#stopPinging();
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.removeAllListeners('close');
      ws.on('error', () => undefined);
      ws.terminate();
    }
  }

  #stopPinging(): void {
    if (this.#pinger) clearInterval(this.#pinger);
    this.#pinger = null;
  }

  #send(channel: SendChannel, msg: OutgoingMessage): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the gateway socket is closed'));
    const text = JSON.stringify({ ...msg, channel, buffers: [] });
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ text, resolve, reject });
      if (this.#queue.length > MAX_QUEUED) this.#queue.shift()?.reject(new Error('too many messages waited for the gateway socket'));
      if (this.isOpen) this.#flush();
    });
  }

  #flush(): void {
    const ws = this.#ws;
    while (ws && ws.readyState === WebSocket.OPEN && this.#queue.length > 0) {
      const q = this.#queue.shift() as Queued;
      ws.send(q.text, (err) => (err ? q.reject(err) : q.resolve()));
    }
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    // Binary frames carry buffers (widgets, comms), which Duet does not use.
    if (isBinary) return;
    const msg = parseMessage(data.toString());
    if (!msg) {
      this.#o.log.warn({ kernel: this.#o.kernelId }, 'dropped a malformed message from the gateway');
      return;
    }
    this.#receive(msg.channel, msg.message);
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON channels message as a checked {@link WireMessage}, or null when it is not one. */
export function parseMessage(text: string): { channel: ChannelName; message: WireMessage } | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(raw) || typeof raw.channel !== 'string' || !CHANNELS.has(raw.channel)) return null;
  const h = raw.header;
  if (!isObj(h) || typeof h.msg_type !== 'string' || typeof h.msg_id !== 'string') return null;
  const header: MessageHeader = {
    msg_id: h.msg_id,
    msg_type: h.msg_type,
    session: typeof h.session === 'string' ? h.session : '',
    username: typeof h.username === 'string' ? h.username : '',
    date: typeof h.date === 'string' ? h.date : '',
    version: typeof h.version === 'string' ? h.version : '',
  };
  const parent = isObj(raw.parent_header) ? raw.parent_header : {};
  const parent_header: Partial<MessageHeader> = typeof parent.msg_id === 'string' ? { msg_id: parent.msg_id } : {};
  return {
    channel: raw.channel as ChannelName,
    message: { identities: [], header, parent_header, metadata: isObj(raw.metadata) ? raw.metadata : {}, content: raw.content, buffers: [] },
  };
}
