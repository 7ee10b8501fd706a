/**
 * The client side of a kernel, as jupyter_client's client is: one registry of
 * requests waiting on replies, and the dispatch of what the kernel sends, over a
 * transport that carries the four channels (ZeroMQ sockets here, a gateway's
 * WebSocket for a remote kernel). It knows nothing of the process behind them.
 */
import { randomUUID } from 'node:crypto';
import { delay } from './delay.ts';
import { INPUT_ERROR, classify, makeHeader, toEvent, type ChannelName, type KernelInfoContent, type KernelMessage } from './messages.ts';
import { RequestRegistry } from './registry.ts';
import type { ExecuteEvent, ExecuteResult } from './session-types.ts';
import type { ConnectTransport, KernelTransport, SendChannel } from './transport.ts';
import type { MessageHeader, WireMessage } from './wire.ts';

export interface KernelClientOptions {
  /** Opens the channels. */
  connect: ConnectTransport;
  /**
   * The kernel said it is busy or idle (for any request); or, through a gateway,
   * that the gateway is restarting it or found it dead.
   */
  onStatus: (state: StatusNews) => void;
}

/** What {@link KernelClient.execute} needs besides the code. */
export interface ExecuteRequest {
  storeHistory: boolean;
  onEvent: (ev: ExecuteEvent) => void;
}

/** The execution states a client passes on. */
export type StatusNews = 'busy' | 'idle' | 'restarting' | 'dead';

type ExecuteReply = Extract<KernelMessage, { msg_type: 'execute_reply' }>['content'];

export class KernelClient {
  readonly #registry = new RequestRegistry();
  readonly #sessionId: string;
  readonly #transport: KernelTransport;
  readonly #onStatus: (state: StatusNews) => void;
  #markIOPubReady: () => void = () => {};
  /** Resolves when the first IOPub message has arrived: the SUB socket is then surely subscribed. */
  readonly iopubReady: Promise<void>;

  constructor(o: KernelClientOptions & { sessionId?: string }) {
    this.#onStatus = o.onStatus;
    this.#sessionId = o.sessionId ?? randomUUID();
    this.iopubReady = new Promise<void>((r) => (this.#markIOPubReady = r));
    this.#transport = o.connect((channel, msg) => this.#dispatch(channel, msg), this.#sessionId);
  }

  /** The session id of this client's messages (a gateway keys its replay buffer by it). */
  get sessionId(): string {
    return this.#sessionId;
  }

  /** Asks for kernel_info; resolves with the reply. */
  kernelInfo(): Promise<KernelInfoContent> {
    return new Promise((resolve, reject) => {
      const header = makeHeader('kernel_info_request', this.#sessionId);
      this.#registry.add<KernelInfoContent>(header.msg_id, { onIOPub: () => {}, reply: null, idle: false, resolve, reject });
      this.#send('shell', header, {}).catch(reject);
    });
  }

  /** Sends execute_request; resolves once the reply and the kernel's idle for it have both arrived. */
  execute(code: string, req: ExecuteRequest): Promise<ExecuteResult> {
    const header = makeHeader('execute_request', this.#sessionId);
    return new Promise<ExecuteResult>((resolve, reject) => {
      this.#registry.add<ExecuteReply>(header.msg_id, {
        onIOPub: (m) => {
          const ev = toEvent(m as KernelMessage);
          if (ev) req.onEvent(ev);
        },
        reply: null,
        idle: false,
        replyIfLost: { status: 'aborted', execution_count: null },
        resolve: (reply) =>
          resolve({
            status: reply.status,
            executionCount: reply.execution_count,
            ...(reply.ename !== undefined ? { ename: reply.ename } : {}),
            ...(reply.evalue !== undefined ? { evalue: reply.ename === 'StdinNotImplementedError' ? INPUT_ERROR : reply.evalue } : {}),
          }),
        reject,
      });
      const content = { code, silent: false, store_history: req.storeHistory, user_expressions: {}, allow_stdin: false, stop_on_error: false };
      this.#send('shell', header, content).catch((err: unknown) => {
        this.#registry.remove(header.msg_id);
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  /** Sends interrupt_request on control; true if the kernel answered within `timeoutMs`. */
  async interrupt(timeoutMs: number): Promise<boolean> {
    const header = makeHeader('interrupt_request', this.#sessionId);
    const replied = new Promise<unknown>((resolve, reject) => {
      this.#registry.add(header.msg_id, { onIOPub: () => {}, reply: null, idle: false, resolve, reject });
    });
    replied.catch(() => undefined);
    await this.#send('control', header, {}).catch(() => undefined);
    const answered = await Promise.race([replied.then(() => true, () => false), delay(timeoutMs).then(() => false)]);
    this.#registry.remove(header.msg_id);
    return answered;
  }

  /** Asks the kernel to shut down; does not wait for it to. */
  async shutdown(): Promise<void> {
    await this.#send('control', makeHeader('shutdown_request', this.#sessionId), { restart: false }).catch(() => undefined);
  }

  /** Fails every request still waiting, with `err`. */
  disposeAll(err: Error): void {
    this.#registry.disposeAll(err);
  }

  close(): void {
    this.#transport.close();
  }

  #send(channel: SendChannel, header: MessageHeader, content: Record<string, unknown>, parent: Partial<MessageHeader> = {}): Promise<void> {
    return this.#transport.send(channel, { header, parent_header: parent, metadata: {}, content });
  }

  #dispatch(channel: ChannelName, raw: WireMessage): void {
    const msg = classify(raw);
    const registry = this.#registry;
    switch (channel) {
      case 'iopub':
        this.#markIOPubReady();
        if (msg.msg_type === 'status') {
          const state = msg.content.execution_state;
          if (state === 'idle') registry.idle(msg.parent);
          if (state === 'busy' || state === 'idle' || state === 'restarting' || state === 'dead') this.#onStatus(state);
          return;
        }
        registry.get(msg.parent)?.onIOPub(msg);
        return;
      case 'shell':
        if (msg.msg_type === 'kernel_info_reply') registry.resolveNow(msg.parent, msg.content);
        else if (msg.msg_type === 'execute_reply') registry.replied(msg.parent, msg.content);
        return;
      case 'control':
        if (msg.msg_type === 'interrupt_reply' || msg.msg_type === 'shutdown_reply') registry.resolveNow(msg.parent, msg.content);
        return;
      case 'stdin':
        if (msg.msg_type === 'input_request') {
          // Never left waiting: answer at once, and tell the cell why it got nothing.
          registry.get(msg.parent)?.onIOPub({ msg_type: 'stream', parent: msg.parent, content: { name: 'stderr', text: `${INPUT_ERROR}\n` } });
          void this.#send('stdin', makeHeader('input_reply', this.#sessionId), { value: '', status: 'error' }, raw.header).catch(() => undefined);
        }
        return;
    }
  }
}
