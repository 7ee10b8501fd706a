/**
 * A {@link KernelConnection} to a kernel on a gateway (Jupyter Server, Kernel
 * Gateway, Enterprise Gateway): started, interrupted, restarted and deleted
 * over REST, spoken to over the channels WebSocket by the same
 * {@link KernelClient} a local kernel has. Everything above sees the same
 * interface as for a local kernel.
 *
 * Faults and what becomes of them:
 * - the WebSocket drops: opened again with the same session id until
 *   `reconnectMs` has passed (the gateway replays what the kernel sent
 *   meanwhile); the kernel is lost when the gateway no longer has it or stops
 *   answering;
 * - the gateway reports the kernel restarting or dead (the kernel died and the
 *   gateway's restarter noticed): the kernel died, as a local one does;
 * - a kernel the gateway culled or deleted: lost; restart() starts a new one.
 *
 * Isolation is the gateway's: Duet's sandbox does not reach another machine.
 * Duet still enforces the cell time limit and the output cap; the disk watch,
 * which reads a local folder, does not apply.
 */
import { KernelDiedError, KernelLostError, KernelStartError, RequestDisposedError } from '../errors.ts';
import { interrupter } from '../interrupt-until-done.ts';
import { KernelClient, type StatusNews } from '../kernel-client.ts';
import { delay } from '../delay.ts';
import { KernelLifecycle } from '../lifecycle.ts';
import type { InterruptOutcome, KernelConnection, KernelLocation } from '../kernel-connection.ts';
import { silentLogger, type KernelLogger } from '../logger.ts';
import type { KernelInfoContent } from '../messages.ts';
import { DEFAULT_LIMITS, type SandboxLimits } from '../sandbox/types.ts';
import type { ExecuteOptions, ExecuteResult, KernelInfo, KernelState } from '../session-types.ts';
import { GatewayError } from './gateway-error.ts';
import type { Gateway } from './gateway.ts';
import { GatewaySocket } from './gateway-socket.ts';

export interface RemoteKernelOptions {
  gateway: Gateway;
  /** The gateway's kernelspec to start (`python3`, or `duet-sandboxed` from `duet kernelspec install`). */
  kernelName: string;
  /** The local folder that stands for the kernel's working directory (files there are not the kernel's: its own are on the gateway). */
  workdir: string;
  limits?: SandboxLimits;
  log?: KernelLogger;
  /** How long a kernel start may take, launch included (clusters take tens of seconds). */
  startTimeoutMs?: number;
  /** How long a dropped WebSocket may take to come back before the kernel counts as lost. */
  reconnectMs?: number;
  /** Called about once a second while a kernel starts, with the time waited so far. */
  onStarting?: (waitedMs: number) => void;
  /**
   * How often the gateway is asked whether it still has the kernel. Jupyter
   * Server leaves the channels socket open when it deletes or culls a kernel, so
   * without asking, a cell sent to it would wait for its time limit.
   */
  heartbeatMs?: number;
}

/** One kernel on the gateway and the socket to it; `dead` once it is over. */
interface Remote {
  id: string;
  socket: GatewaySocket;
  client: KernelClient;
  dead: boolean;
  /** A reconnection in progress, if any. */
  reconnecting: Promise<void> | null;
  heartbeat: NodeJS.Timeout | null;
}

type Listener<T> = (value: T) => void;

/** How often start() asks again for kernel_info while the kernel gets ready. */
const READY_POLL_MS = 200;
/** Pause between attempts to open a dropped socket again. */
const RECONNECT_PAUSE_MS = 250;
/** How often the gateway is asked whether the kernel is still there. */
const HEARTBEAT_MS = 3000;

export class RemoteKernel implements KernelConnection {
  readonly #o: Required<Omit<RemoteKernelOptions, 'onStarting'>> & Pick<RemoteKernelOptions, 'onStarting'>;
  #remote: Remote | null = null;
  readonly #life = new KernelLifecycle();
  #info: KernelInfo | null = null;
  #shutDown = false;

  constructor(o: RemoteKernelOptions) {
    this.#o = { limits: DEFAULT_LIMITS, log: silentLogger, startTimeoutMs: 120_000, reconnectMs: 10_000, heartbeatMs: HEARTBEAT_MS, ...o };
  }

  get state(): KernelState {
    return this.#life.state;
  }

  get info(): KernelInfo | null {
    return this.#info;
  }

  /** No process of this machine: nothing to sample. */
  get pid(): number | null {
    return null;
  }

  get workdir(): string {
    return this.#o.workdir;
  }

  get limits(): SandboxLimits {
    return this.#o.limits;
  }

  get location(): KernelLocation {
    return { kind: 'remote', gateway: this.#o.gateway.url, host: this.#o.gateway.host };
  }

  /** Its disk is the gateway's: nothing here can measure it. */
  get keepsDiskLimit(): boolean {
    return false;
  }

  /** The gateway's id of the running kernel, if any. */
  get kernelId(): string | null {
    return this.#remote?.id ?? null;
  }

  onState(fn: Listener<KernelState>): () => void {
    return this.#life.onState(fn);
  }

  onDeath(fn: Listener<KernelDiedError>): () => void {
    return this.#life.onDeath(fn);
  }

  start(): Promise<KernelInfo> {
    if (this.#remote && !this.#remote.dead) return Promise.reject(new Error('kernel is already running'));
    this.#shutDown = false;
    this.#life.set('starting');
    return this.#life.track(this.#launch());
  }


  /** Starts a new kernel on the gateway and connects to it. */
  async #launch(): Promise<KernelInfo> {
    const { gateway, kernelName, startTimeoutMs, log } = this.#o;
    const started = Date.now();
    const ticker = this.#o.onStarting ? setInterval(() => this.#o.onStarting?.(Date.now() - started), 1000) : null;
    ticker?.unref();
    let id: string | null = null;
    try {
      id = await gateway.startKernel(kernelName, startTimeoutMs);
      if (this.#shutDown) throw new RequestDisposedError('the kernel was shut down as it started');
      const remote = this.#connect(id);
      this.#remote = remote;
      await remote.socket.open();
      return await this.#ready(remote, started + startTimeoutMs);
    } catch (err) {
      if (id !== null) await gateway.shutdown(id).catch(() => undefined);
      if (this.#remote) dispose(this.#remote);
      this.#remote = null;
      this.#life.set('dead');
      log.warn({ gateway: gateway.url, err: String(err) }, 'remote kernel did not start');
      throw startError(err, gateway.url, kernelName);
    } finally {
      if (ticker) clearInterval(ticker);
    }
  }

  #connect(id: string): Remote {
    const socket = new GatewaySocket({ gateway: this.#o.gateway, kernelId: id, log: this.#o.log, onDrop: () => this.#dropped(remote) });
    const client = new KernelClient({ connect: socket.connect, onStatus: (s) => this.#onStatus(remote, s) });
    const remote: Remote = { id, socket, client, dead: false, reconnecting: null, heartbeat: null };
    remote.heartbeat = setInterval(() => void this.#checkAlive(remote), this.#o.heartbeatMs);
    remote.heartbeat.unref();
    return remote;
  }

  /** Waits for kernel_info_reply and for IOPub to deliver, then the kernel is idle. */
  async #ready(remote: Remote, deadline: number): Promise<KernelInfo> {
    let reply: KernelInfoContent | null = null;
    while (reply === null) {
      if (remote.dead) throw new Error('the kernel was lost as it started');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no kernel_info_reply within ${Math.round(this.#o.startTimeoutMs / 1000)} s`);
      reply = await Promise.race([Promise.all([remote.client.kernelInfo(), remote.client.iopubReady]).then(([r]) => r), delay(Math.min(READY_POLL_MS, left)).then(() => null)]);
    }
    this.#info = {
      protocolVersion: reply.protocol_version,
      implementation: reply.implementation,
      implementationVersion: reply.implementation_version,
      languageVersion: reply.language_info.version ?? 'unknown',
      sandbox: `remote (${this.#o.gateway.host})`,
    };
    this.#life.set('idle');
    this.#o.log.info({ gateway: this.#o.gateway.url, kernel: remote.id, ...this.#info }, 'remote kernel ready');
    return this.#info;
  }

  send(code: string, opts: ExecuteOptions = {}): Promise<ExecuteResult> {
    const waiting = this.#life.afterStart(() => this.send(code, opts));
    if (waiting) return waiting;
    const remote = this.#remote;
    if (!remote || remote.dead) return Promise.reject(new KernelDiedError('no kernel is running'));
    if (opts.signal?.aborted) return Promise.reject(new RequestDisposedError('the cell was cancelled before it started'));
    const sent = remote.client.execute(code, { storeHistory: opts.storeHistory ?? true, onEvent: (ev) => opts.onEvent?.(ev) });
    sent.catch(() => undefined);
    interrupter(sent, () => this.interrupt(), opts.signal);
    return sent;
  }

  /**
   * Asks the gateway to interrupt the kernel (it signals the process, or sends
   * interrupt_request for a kernelspec whose interrupt_mode is `message`).
   */
  async interrupt(): Promise<InterruptOutcome> {
    const remote = this.#remote;
    if (!remote || remote.dead) return 'no-kernel';
    try {
      if (await this.#o.gateway.interrupt(remote.id)) return 'signalled';
      this.#lost(remote, 'the gateway no longer has it: it was shut down or culled');
      return 'no-kernel';
    } catch (err) {
      this.#o.log.warn({ kernel: remote.id, err: String(err) }, 'the gateway did not interrupt the kernel');
      return 'unanswered';
    }
  }

  /**
   * Restarts the kernel on the gateway, or starts a new one when the gateway no
   * longer has it (culled, lost). Requests waiting on the old one fail.
   */
  restart(): Promise<KernelInfo> {
    const joining = this.#life.restarting;
    if (joining) return joining;
    // A restart asks for a kernel, also after shutdown(); a shutdown() while it runs still wins.
    this.#shutDown = false;
    this.#life.set('restarting');
    return this.#life.track(
      (async () => {
        const remote = this.#remote;
        if (remote) remote.client.disposeAll(new KernelDiedError('the kernel was restarted'));
        if (remote) {
          const { gateway, startTimeoutMs } = this.#o;
          const kept = await gateway.restart(remote.id, startTimeoutMs).catch(() => false);
          if (kept && !this.#shutDown) {
            remote.dead = false;
            try {
              // A fresh socket: the gateway connects it to the kernel's ports as they are now, and a restart may have moved them.
              await remote.socket.open();
              return await this.#ready(remote, Date.now() + startTimeoutMs);
            } catch (err) {
              this.#o.log.warn({ kernel: remote.id, err: String(err) }, 'the restarted kernel did not answer; starting a new one');
            }
          }
          remote.dead = true;
          dispose(remote);
          await gateway.shutdown(remote.id).catch(() => undefined);
        }
        this.#remote = null;
        if (this.#shutDown) throw new RequestDisposedError('the kernel was shut down as it restarted');
        this.#o.log.warn({ gateway: this.#o.gateway.url }, 'starting a new remote kernel in place of the old one');
        return this.#launch();
      })(),
    );
  }

  /** Deletes the kernel on the gateway. Safe to call twice. */
  async shutdown(): Promise<void> {
    this.#shutDown = true;
    const remote = this.#remote;
    this.#remote = null;
    if (remote) {
      remote.dead = true;
      remote.client.disposeAll(new RequestDisposedError('the kernel was shut down'));
      dispose(remote);
      await this.#o.gateway.shutdown(remote.id).catch((err: unknown) => this.#o.log.warn({ kernel: remote.id, err: String(err) }, 'the gateway did not delete the kernel'));
    }
    this.#life.set('shutdown');
  }

  /** The socket dropped: open it again with the same session, or count the kernel lost. */
  #dropped(remote: Remote): void {
    if (remote.dead || remote.reconnecting || this.#remote !== remote) return;
    const deadline = Date.now() + this.#o.reconnectMs;
    remote.reconnecting = (async () => {
      let last = 'the connection dropped';
      while (!remote.dead && Date.now() < deadline) {
        try {
          const model = await this.#o.gateway.kernel(remote.id);
          if (model === null) {
            this.#lost(remote, 'the gateway no longer has it: it was shut down or culled');
            return;
          }
          await remote.socket.open();
          this.#o.log.info({ kernel: remote.id }, 'gateway socket reconnected');
          return;
        } catch (err) {
          last = err instanceof Error ? err.message : String(err);
          await delay(RECONNECT_PAUSE_MS);
        }
      }
      if (!remote.dead) this.#lost(remote, `the connection to ${this.#o.gateway.host} dropped and did not come back within ${Math.round(this.#o.reconnectMs / 1000)} s: ${last}`);
    })().finally(() => (remote.reconnecting = null));
  }

  /** Asks the gateway whether it still has the kernel; network trouble is the socket's to notice. */
  async #checkAlive(remote: Remote): Promise<void> {
    if (remote.dead || remote.reconnecting || this.#remote !== remote || this.#life.settling) return;
    const model = await this.#o.gateway.kernel(remote.id).catch(() => undefined);
    if (model === null) this.#lost(remote, 'the gateway no longer has it: it was shut down or culled');
    else if (model?.execution_state === 'dead') this.#died(remote, new KernelDiedError('the gateway reports the kernel dead'));
  }

  /** The gateway says the kernel restarted under it (it died) or is dead. */
  #onStatus(remote: Remote, state: StatusNews): void {
    if (this.#remote !== remote || this.#life.settling) return;
    if (state === 'busy' || state === 'idle') {
      this.#life.set(state);
      return;
    }
    this.#died(remote, new KernelDiedError(state === 'restarting' ? 'the kernel process ended; the gateway restarted it' : 'the kernel process ended and the gateway could not restart it'));
  }

  #lost(remote: Remote, detail: string): void {
    this.#died(remote, new KernelLostError(detail));
  }

  #died(remote: Remote, err: KernelDiedError): void {
    if (remote.dead || this.#remote !== remote) return;
    remote.dead = true;
    this.#o.log.warn({ kernel: remote.id, detail: err.detail }, err instanceof KernelLostError ? 'remote kernel lost' : 'remote kernel died');
    remote.client.disposeAll(err);
    this.#life.died(err);
  }

}

/** Closes the socket to a kernel Duet is done with, and stops asking after it. */
function dispose(remote: Remote): void {
  if (remote.heartbeat) clearInterval(remote.heartbeat);
  remote.heartbeat = null;
  remote.socket.close();
}

/** A start failure as the user should read it: the gateway's own error when it is one. */
function startError(err: unknown, gateway: string, kernelName: string): Error {
  if (err instanceof GatewayError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new KernelStartError(`The kernel "${kernelName}" on the gateway ${gateway} did not start: ${why}. Check the gateway's log; a cluster that launches slowly may need a longer --kernel-start-timeout.`);
}
