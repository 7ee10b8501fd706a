/**
 * A KernelSession is the local {@link KernelConnection}: it starts one IPython
 * kernel in its sandbox ({@link KernelProcess}), speaks the Jupyter messaging
 * protocol to it ({@link KernelClient}), and ties the two together: start with
 * its retries, the kernel's state, death, the disk limit while a cell runs,
 * interrupt, restart and shutdown. Many sessions live in one Node process; each
 * has its own key, sockets and request registry, so nothing crosses between them.
 */
import { BudgetWatch, diskLimitError } from './disk-budget.ts';
import { diskUsage, type DiskUsage } from './disk-usage.ts';
import { KernelDiedError, RequestDisposedError } from './errors.ts';
import { interrupter } from './interrupt-until-done.ts';
import { KernelLifecycle } from './lifecycle.ts';
import { KernelClient, type StatusNews } from './kernel-client.ts';
import { zmqTransport } from './zmq-transport.ts';
import type { InterruptOutcome, KernelConnection, KernelLocation } from './kernel-connection.ts';
import { delay } from './delay.ts';
import { KernelProcess, startFailure } from './kernel-process.ts';
import { silentLogger, type KernelLogger } from './logger.ts';
import type { KernelInfoContent } from './messages.ts';
import { runCollecting, type RunOutcome } from './run-collecting.ts';
import { plainLauncher } from './sandbox/plain.ts';
import { DEFAULT_LIMITS, type KernelLauncher, type SandboxLimits } from './sandbox/types.ts';
import type { ExecuteEvent, ExecuteOptions, ExecuteResult, KernelInfo, KernelState } from './session-types.ts';

export type { RunOutcome };

export interface KernelSessionOptions {
  /** Interpreter with ipykernel (see findPython). */
  python: string;
  /** The kernel's working directory; created if missing. */
  workdir: string;
  launcher?: KernelLauncher;
  limits?: SandboxLimits;
  log?: KernelLogger;
  /** How long start() waits for kernel_info_reply. */
  startTimeoutMs?: number;
  /** Bytes of output kept per cell by run(). */
  outputBudget?: number;
}

/** A running request: iterate for its events, await `result` for how it ended. */
export interface Execution extends AsyncIterable<ExecuteEvent> {
  readonly result: Promise<ExecuteResult>;
}

/** One started kernel: its process, its client, and whether it is over. */
interface Runtime {
  proc: KernelProcess;
  client: KernelClient;
  dead: boolean;
}

type Listener<T> = (value: T) => void;

const LOCAL: KernelLocation = { kind: 'local' };

/** start() failed because a port was taken under the kernel; `cause` holds the error to show if no retry is left. */
class PortTakenError extends Error {}
const START_ATTEMPTS = 3;

/**
 * How often start() asks again for kernel_info while waiting for proof that IOPub is
 * subscribed: the status messages of a request sent before the subscription took
 * hold are lost, and only a new request brings new ones.
 */
const START_POLL_MS = 100;

/** How often a running cell's disk use is measured against the kernel's limit. */
const DISK_CHECK_MS = 1000;

/** How long interrupt() waits for interrupt_reply before it signals the process. */
const INTERRUPT_REPLY_MS = 1000;

export class KernelSession implements KernelConnection {
  readonly #opts: Required<Omit<KernelSessionOptions, 'launcher' | 'log'>> & { launcher: KernelLauncher; log: KernelLogger };
  #rt: Runtime | null = null;
  readonly #life = new KernelLifecycle();
  #info: KernelInfo | null = null;

  constructor(opts: KernelSessionOptions) {
    this.#opts = {
      startTimeoutMs: 30_000,
      limits: DEFAULT_LIMITS,
      outputBudget: 2 * 1024 * 1024,
      launcher: plainLauncher(),
      log: silentLogger,
      ...opts,
    };
  }

  get state(): KernelState {
    return this.#life.state;
  }

  get info(): KernelInfo | null {
    return this.#info;
  }

  /** The process Duet started (bwrap's, in bwrap mode). */
  get pid(): number | null {
    return this.#rt?.proc.pid ?? null;
  }

  /** The kernel's working directory. */
  get workdir(): string {
    return this.#opts.workdir;
  }

  /** The limits the kernel was started with. */
  get limits(): SandboxLimits {
    return this.#opts.limits;
  }

  get location(): KernelLocation {
    return LOCAL;
  }

  /** A kernel in a sandbox is measured around every cell here (see {@link send}); one without has no budget. */
  get keepsDiskLimit(): boolean {
    return (this.#rt?.proc.budget ?? null) !== null;
  }

  get launcher(): KernelLauncher {
    return this.#opts.launcher;
  }

  /** Host paths the running kernel's sandbox lets it write (empty without a sandbox, or without a kernel). */
  get writableRoots(): string[] {
    const budget = this.#rt?.proc.budget;
    return budget ? [budget.workdir, ...budget.others] : [];
  }

  /** What the running kernel keeps in the places it may write. */
  diskUsage(): Promise<DiskUsage> {
    return diskUsage(this.writableRoots);
  }

  onState(fn: Listener<KernelState>): () => void {
    return this.#life.onState(fn);
  }

  /** Called when a running kernel dies (exits, or stops answering its heartbeat). */
  onDeath(fn: Listener<KernelDiedError>): () => void {
    return this.#life.onDeath(fn);
  }

  /** Starts the kernel; resolves once it has answered kernel_info_request. */
  start(): Promise<KernelInfo> {
    if (this.#rt && !this.#rt.dead) return Promise.reject(new Error('kernel is already running'));
    return this.#life.track(this.#startWithRetries());
  }


  async #startWithRetries(): Promise<KernelInfo> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#startOnce();
      } catch (err) {
        // Another program took one of the kernel's ports between our check and its bind: new ports, once more.
        if (!(err instanceof PortTakenError)) throw err;
        if (attempt >= START_ATTEMPTS) throw err.cause ?? err;
        this.#opts.log.warn({ attempt }, 'a kernel port was taken as the kernel started; starting it again on new ports');
      }
    }
  }

  async #startOnce(): Promise<KernelInfo> {
    this.#life.set('starting');
    const { python, workdir, launcher, limits, log, startTimeoutMs } = this.#opts;
    let proc: KernelProcess;
    try {
      proc = await KernelProcess.launch({ python, workdir, launcher, limits, log, startTimeoutMs });
    } catch (err) {
      this.#life.set('dead');
      throw startFailure(err, '', python);
    }
    const client: KernelClient = new KernelClient({ connect: zmqTransport(proc.info, log), onStatus: (state) => this.#onStatus(rt, state) });
    const rt: Runtime = { proc, client, dead: false };
    this.#rt = rt;
    proc.onEnd((detail) => this.#died(rt, detail));

    try {
      const reply = await this.#waitForReady(rt);
      // The process may have ended as its reply came in.
      if (rt.dead) throw new Error('the kernel died as it started');
      proc.watchHeartbeat((silentMs) => this.#died(rt, `heartbeat silent for ${silentMs} ms`));
      this.#info = {
        protocolVersion: reply.protocol_version,
        implementation: reply.implementation,
        implementationVersion: reply.implementation_version,
        languageVersion: reply.language_info.version ?? 'unknown',
        sandbox: launcher.mode,
      };
      this.#life.set('idle');
      log.info({ pid: proc.pid, ...this.#info }, 'kernel ready');
      return this.#info;
    } catch (err) {
      await this.#teardown(rt);
      this.#life.set('dead');
      const failure = startFailure(err, proc.stderrTail, python);
      throw err instanceof PortTakenError ? new PortTakenError(err.message, { cause: failure }) : failure;
    }
  }

  /**
   * Sends kernel_info_request until the kernel answers on shell and IOPub has
   * delivered a message (ZeroMQ's slow-joiner: outputs sent before the SUB socket
   * is subscribed are lost, so start() waits for proof that it is).
   */
  async #waitForReady(rt: Runtime): Promise<KernelInfoContent> {
    const deadline = Date.now() + this.#opts.startTimeoutMs;
    while (Date.now() < deadline) {
      // A kernel that could not bind a port does not always exit; waiting for it would take the whole timeout.
      if (rt.proc.stderrTail.includes('Address already in use')) throw new PortTakenError('a port the kernel needed was already in use');
      const winner = await Promise.race([
        Promise.all([rt.client.kernelInfo(), rt.client.iopubReady]).then(([r]) => r),
        rt.proc.exited.then(() => 'exited' as const),
        delay(Math.min(START_POLL_MS, Math.max(0, deadline - Date.now()))).then(() => 'timeout' as const),
      ]);
      if (winner === 'exited') throw new Error('the kernel process exited');
      if (winner !== 'timeout') return winner;
      // Drop the old request; its reply, if it ever comes, finds nothing waiting.
    }
    throw new Error(`no kernel_info_reply within ${this.#opts.startTimeoutMs} ms`);
  }

  /**
   * Runs code. Events arrive through the returned iterable (and `onEvent`) in the
   * order the kernel sent them; `result` settles once the reply and the kernel's
   * idle have both arrived. The iterable keeps every event until it is read: a
   * caller that only wants `onEvent` should use {@link send}.
   */
  execute(code: string, opts: ExecuteOptions = {}): Execution {
    const queue: ExecuteEvent[] = [];
    let wake: (() => void) | null = null;
    let finished = false;
    const result = this.send(code, {
      ...opts,
      onEvent: (ev) => {
        opts.onEvent?.(ev);
        queue.push(ev);
        wake?.();
      },
    }).finally(() => {
      finished = true;
      wake?.();
    });
    // The iterable is optional; a caller that only awaits `result` must not see an unhandled rejection.
    result.catch(() => undefined);
    return {
      result,
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (queue.length > 0) yield queue.shift() as ExecuteEvent;
          if (finished) {
            await result;
            return;
          }
          await new Promise<void>((r) => (wake = r));
          wake = null;
        }
      },
    };
  }

  /** Runs code and collects its outputs as nbformat outputs (streams merged, clears applied). */
  run(code: string, opts: ExecuteOptions = {}): Promise<RunOutcome> {
    return runCollecting(this, code, opts, this.#opts.outputBudget);
  }

  /**
   * Runs code and hands each event to `opts.onEvent` as it arrives, keeping none of
   * them: for callers that apply events as they come (the cell runner), so a cell
   * that floods output holds nothing here. Resolves once the reply and the
   * kernel's idle have both arrived.
   */
  send(code: string, opts: ExecuteOptions = {}): Promise<ExecuteResult> {
    const waiting = this.#life.afterStart(() => this.send(code, opts));
    if (waiting) return waiting;
    const rt = this.#rt;
    if (!rt || rt.dead) return Promise.reject(new KernelDiedError('no kernel is running'));
    if (opts.signal?.aborted) return Promise.reject(new RequestDisposedError('the cell was cancelled before it started'));
    let disk: BudgetWatch | null = null;
    const sent = rt.client.execute(code, {
      storeHistory: opts.storeHistory ?? true,
      onEvent: (ev) => {
        // Past the disk limit the cell is told why and interrupted; the KeyboardInterrupt that follows is Duet's doing, not news.
        if (disk?.reported && isKeyboardInterrupt(ev)) return;
        opts.onEvent?.(ev);
      },
    });
    sent.catch(() => undefined);
    const interruptUntilDone = interrupter(sent, () => this.interrupt(), opts.signal);
    if (!rt.proc.budget) return sent;
    const watch = new BudgetWatch(
      rt.proc.budget,
      (over) => {
        opts.onEvent?.({ kind: 'output', output: diskLimitError(over) });
        if (opts.stopCell) opts.stopCell();
        else interruptUntilDone();
      },
      DISK_CHECK_MS,
    );
    disk = watch;
    return sent.then(
      (result) => this.#afterDiskCheck(watch, result, opts),
      (err: unknown) => {
        watch.stop();
        throw err;
      },
    );
  }

  /**
   * A quick cell may write past the limit between two looks: one more once it is
   * done. A cell found past it ends in a DiskLimit error, whatever it returned.
   */
  async #afterDiskCheck(disk: BudgetWatch, result: ExecuteResult, opts: ExecuteOptions): Promise<ExecuteResult> {
    const { over, reported } = await disk.finish();
    if (!over) return result;
    const error = diskLimitError(over);
    // Found only now: the cell is over, there is nothing left to interrupt.
    if (!reported) opts.onEvent?.({ kind: 'output', output: error });
    return { status: 'error', executionCount: result.executionCount, ename: error.ename, evalue: error.evalue };
  }

  /**
   * Sends one interrupt: interrupt_request on the control channel, and SIGINT to
   * the process when the kernel does not answer that within a second (never in
   * bwrap mode, where the process is the jail and a signal would end it all).
   * Resolves with what happened. It does not wait for the cell to end nor promise
   * that it will (see {@link KernelConnection.interrupt}).
   */
  async interrupt(): Promise<InterruptOutcome> {
    const rt = this.#rt;
    if (!rt || rt.dead) return 'no-kernel';
    if (await rt.client.interrupt(INTERRUPT_REPLY_MS)) return 'replied';
    if (rt.dead) return 'no-kernel';
    const { log, launcher } = this.#opts;
    if (launcher.mode === 'bwrap') {
      log.warn({ pid: rt.proc.pid }, 'kernel did not answer interrupt_request');
      return 'unanswered';
    }
    log.warn({ pid: rt.proc.pid }, 'kernel did not answer interrupt_request; sending SIGINT');
    return rt.proc.signal('SIGINT') ? 'signalled' : 'unanswered';
  }

  /** Stops the kernel (gracefully, then by force) and starts a fresh one. */
  restart(): Promise<KernelInfo> {
    // Two restarts asked for at once make one.
    const joining = this.#life.restarting;
    if (joining) return joining;
    this.#life.set('restarting');
    return this.#life.track(
      (async () => {
        const rt = this.#rt;
        if (rt) {
          rt.client.disposeAll(new KernelDiedError('the kernel was restarted'));
          await this.#stop(rt);
        }
        return this.#startWithRetries();
      })(),
    );
  }

  /** Stops the kernel and removes its runtime directory. Safe to call twice. */
  async shutdown(): Promise<void> {
    const rt = this.#rt;
    if (!rt) {
      this.#life.set('shutdown');
      return;
    }
    rt.client.disposeAll(new RequestDisposedError('the kernel was shut down'));
    await this.#stop(rt);
    this.#rt = null;
    this.#life.set('shutdown');
  }

  /** Asks the kernel to shut down, waits a moment for it to, then tears everything down. */
  async #stop(rt: Runtime): Promise<void> {
    if (!rt.dead) {
      rt.dead = true;
      await rt.client.shutdown();
      await rt.proc.waitForExit(1500);
    }
    await this.#teardown(rt);
  }

  async #teardown(rt: Runtime): Promise<void> {
    rt.dead = true;
    rt.client.close();
    await rt.proc.dispose();
  }

  /** The kernel of `rt` ended or went silent; news only for the current, live kernel. */
  #died(rt: Runtime, detail: string): void {
    const news = !rt.dead && this.#rt === rt;
    rt.dead = true;
    if (!news) return;
    const err = new KernelDiedError(detail);
    this.#opts.log.warn({ pid: rt.proc.pid, detail, stderr: rt.proc.stderrTail.slice(-1000) }, 'kernel died');
    rt.client.disposeAll(err);
    void this.#teardown(rt);
    this.#life.died(err);
  }

  /** The kernel's busy and idle become the session's state, except while it starts. */
  #onStatus(rt: Runtime, state: StatusNews): void {
    // 'restarting' and 'dead' come from gateways; a local kernel's death is seen by its process and heartbeat.
    if (state !== 'busy' && state !== 'idle') return;
    if (this.#rt === rt && !this.#life.settling) this.#life.set(state);
  }

}

function isKeyboardInterrupt(ev: ExecuteEvent): boolean {
  return ev.kind === 'output' && ev.output.output_type === 'error' && ev.output.ename === 'KeyboardInterrupt';
}
