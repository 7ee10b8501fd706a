/**
 * The client side of a kernel, as jupyter_client's client is: the four message
 * channels, one registry of requests waiting on replies, and the dispatch of what
 * the kernel sends. It knows nothing of the process behind the sockets.
 */
import { randomUUID } from 'node:crypto';
import { Channel } from './channel.ts';
import { endpoint, type ConnectionInfo } from './connection.ts';
import type { KernelLogger } from './logger.ts';
import { INPUT_ERROR, classify, makeHeader, toEvent, type ChannelName, type KernelInfoContent, type KernelMessage } from './messages.ts';
import { RequestRegistry } from './registry.ts';
import type { ExecuteEvent, ExecuteResult } from './session-types.ts';
import { WireCodec, type MessageHeader, type WireMessage } from './wire.ts';

export interface KernelClientOptions {
  info: ConnectionInfo;
  log: KernelLogger;
  /** The kernel said it is busy or idle (for any request). */
  onStatus: (state: 'busy' | 'idle') => void;
}

/** What {@link KernelClient.execute} needs besides the code. */
export interface ExecuteRequest {
  storeHistory: boolean;
  onEvent: (ev: ExecuteEvent) => void;
}

type ExecuteReply = Extract<KernelMessage, { msg_type: 'execute_reply' }>['content'];

export class KernelClient {
  readonly #codec: WireCodec;
  readonly #registry = new RequestRegistry();
  readonly #sessionId = randomUUID();
  readonly #channels: Record<ChannelName, Channel>;
  readonly #onStatus: (state: 'busy' | 'idle') => void;
  #markIOPubReady: () => void = () => {};
  /** Resolves when the first IOPub message has arrived: the SUB socket is then surely subscribed. */
  readonly iopubReady: Promise<void>;

  constructor(o: KernelClientOptions) {
    this.#codec = new WireCodec(o.info.key);
    this.#onStatus = o.onStatus;
    this.iopubReady = new Promise<void>((r) => (this.#markIOPubReady = r));
    const routingId = `duet-${this.#sessionId}`;
    const reconnect = o.info.transport === 'tcp';
    const channel = (name: ChannelName, kind: 'dealer' | 'sub', routed: boolean): Channel =>
      new Channel({
        name,
        kind,
        endpoint: endpoint(o.info, name),
        codec: this.#codec,
        reconnect,
        log: o.log,
        onMessage: (msg) => this.#dispatch(name, msg),
        ...(routed ? { routingId } : {}),
      });
    // shell and stdin share a routing id, so the kernel can route input_request to us.
    this.#channels = { shell: channel('shell', 'dealer', true), control: channel('control', 'dealer', false), stdin: channel('stdin', 'dealer', true), iopub: channel('iopub', 'sub', false) };
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
    for (const ch of Object.values(this.#channels)) ch.close();
  }

  #send(channel: 'shell' | 'control' | 'stdin', header: MessageHeader, content: Record<string, unknown>, parent: Partial<MessageHeader> = {}): Promise<void> {
    return this.#channels[channel].send(this.#codec.encode({ header, parent_header: parent, metadata: {}, content }));
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
          if (state === 'busy' || state === 'idle') this.#onStatus(state);
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

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
