/**
 * A kernel's five channels passed through between two sets of endpoints: the
 * ones a gateway (Jupyter Server, Kernel Gateway, Enterprise Gateway) wrote into
 * its connection file and connects to, and the ipc sockets of a Duet kernel in
 * its sandbox. Frames go through unchanged, so both sides must use one HMAC key.
 *
 * Shell, control, stdin and heartbeat: a ROUTER bound for the gateway, a DEALER
 * connected to the kernel. The ROUTER prefixes each request with the sender's
 * routing id and the kernel copies it into the reply, which the ROUTER then sends
 * back to that sender. Shell and stdin share one routing id, as a Jupyter client's
 * do: the kernel sends input_request to the stdin peer named like the shell peer
 * that asked. IOPub: an XPUB bound for the gateway, an XSUB connected to the
 * kernel; subscriptions go one way, messages the other.
 *
 * The kernel side is connected once, never again (see {@link connectOnce}), for
 * the same reason as every other connection Duet makes to a kernel.
 */
import { randomBytes } from 'node:crypto';
import { Dealer, Router, XPublisher, XSubscriber } from 'zeromq';
import { MAX_MESSAGE_BYTES, connectOnce } from './channel.ts';
import { endpoint, type ChannelKey, type ConnectionInfo } from './connection.ts';
import type { KernelLogger } from './logger.ts';

/** How long a closing socket keeps trying to deliver what it still holds (a last reply to the gateway). */
const FRONT_LINGER_MS = 1000;

const REQUEST_CHANNELS = ['shell', 'control', 'stdin', 'hb'] as const;

/** Every socket the proxy uses; each both receives and sends. */
type ProxySocket = Router | Dealer | XPublisher | XSubscriber;

/** One socket's sends, one at a time: zeromq allows a single pending send per socket. */
class SendQueue {
  #tail: Promise<void> = Promise.resolve();

  constructor(readonly socket: ProxySocket) {}

  send(frames: Buffer[]): Promise<void> {
    const next = this.#tail.then(() => this.socket.send(frames));
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

interface Pair {
  channel: ChannelKey;
  front: Router | XPublisher;
  back: Dealer | XSubscriber;
  toBack: SendQueue;
  toFront: SendQueue;
}

/** Sees the frames of one shell message as they pass (never changes them). */
export type ShellObserver = (direction: 'to kernel' | 'to gateway', frames: readonly Buffer[]) => void;

export class KernelProxy {
  readonly #pairs: Pair[];
  readonly #log: KernelLogger;
  #shellObserver: ShellObserver | null = null;
  #attached = false;
  #closed = false;

  private constructor(pairs: Pair[], log: KernelLogger) {
    this.#pairs = pairs;
    this.#log = log;
  }

  /**
   * Binds the gateway's side: the endpoints of `gateway` (its connection file).
   * Nothing is passed on until {@link attach}; the gateway's requests wait meanwhile.
   */
  static async listen(gateway: ConnectionInfo, log: KernelLogger): Promise<KernelProxy> {
    const ipv6 = gateway.transport === 'tcp' && gateway.ip.includes(':');
    const front = { linger: FRONT_LINGER_MS, maxMessageSize: MAX_MESSAGE_BYTES, ...(ipv6 ? { ipv6 } : {}) };
    const back = { linger: 0, maxMessageSize: MAX_MESSAGE_BYTES, ...connectOnce(false) };
    // Shell and stdin share a routing id towards the kernel (see above).
    const clientId = randomBytes(16).toString('hex');
    const pairs: Pair[] = [];
    const proxy = new KernelProxy(pairs, log);
    const make = (channel: ChannelKey, f: Router | XPublisher, b: Dealer | XSubscriber): void => {
      pairs.push({ channel, front: f, back: b, toBack: new SendQueue(b), toFront: new SendQueue(f) });
    };
    for (const channel of REQUEST_CHANNELS) {
      const routingId = channel === 'shell' || channel === 'stdin' ? clientId : randomBytes(16).toString('hex');
      // Handover: a gateway that reconnects under the same identity takes its place again.
      make(channel, new Router({ ...front, handover: true }), new Dealer({ ...back, routingId }));
    }
    make('iopub', new XPublisher(front), new XSubscriber(back));
    try {
      for (const p of pairs) await p.front.bind(frontEndpoint(gateway, p.channel));
    } catch (err) {
      proxy.close();
      const e = err as Error;
      throw new Error(`could not listen on the gateway's ${gateway.transport} endpoints (${gateway.ip}): ${e.message}. Is another kernel using the ports of this connection file?`);
    }
    return proxy;
  }

  /** Connects the kernel's side (its ipc sockets, known to exist) and starts passing messages both ways. */
  attach(kernel: ConnectionInfo): void {
    if (this.#attached || this.#closed) return;
    this.#attached = true;
    for (const p of this.#pairs) {
      p.back.connect(endpoint(kernel, p.channel));
      void this.#forward(p, p.front, p.toBack, 'to kernel');
      void this.#forward(p, p.back, p.toFront, 'to gateway');
    }
  }

  /**
   * Sends a message of the proxy's own to the kernel's control channel (an
   * interrupt_request it was asked for by signal). Its reply, which names no
   * gateway peer, is dropped by the control ROUTER.
   */
  sendControl(frames: Buffer[]): Promise<void> {
    const pair = this.#pairs.find((p) => p.channel === 'control');
    if (!pair || !this.#attached || this.#closed) return Promise.reject(new Error('the kernel is not connected'));
    return pair.toBack.send(frames);
  }

  /** Calls `fn` with every shell message that passes, before it is passed on. */
  observeShell(fn: ShellObserver): void {
    this.#shellObserver = fn;
  }

  /** Sends a message of the proxy's own to the gateway on IOPub (a signed message that says why a cell was stopped). */
  publish(frames: Buffer[]): Promise<void> {
    const pair = this.#pairs.find((p) => p.channel === 'iopub');
    if (!pair || this.#closed) return Promise.reject(new Error('the proxy is closed'));
    return pair.toFront.send(frames);
  }

  /** Closes every socket; the gateway's side keeps trying to deliver for a second. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#pairs) {
      p.back.close();
      p.front.close();
    }
  }

  async #forward(p: Pair, from: ProxySocket, to: SendQueue, direction: 'to kernel' | 'to gateway'): Promise<void> {
    try {
      // Subscriptions arrive at the XPUB as messages, and the XSUB takes them as messages.
      for await (const frames of from) {
        if (p.channel === 'shell') {
          try {
            this.#shellObserver?.(direction, frames);
          } catch (err) {
            this.#log.warn({ err: (err as Error).message }, 'shell observer failed');
          }
        }
        await to.send(frames);
      }
    } catch (err) {
      if (!this.#closed) this.#log.warn({ channel: p.channel, direction, err: (err as Error).message }, 'kernel proxy channel stopped');
    }
  }
}

/** The gateway's endpoint of one channel; a wildcard or IPv6 address as ZeroMQ wants it. */
function frontEndpoint(info: ConnectionInfo, channel: ChannelKey): string {
  if (info.transport !== 'tcp') return endpoint(info, channel);
  const host = info.ip === '' || info.ip === '0.0.0.0' ? '*' : info.ip.includes(':') ? `[${info.ip}]` : info.ip;
  return `tcp://${host}:${info[`${channel}_port`]}`;
}
