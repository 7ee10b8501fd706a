/**
 * A KernelSession owns one IPython kernel process and speaks the Jupyter
 * messaging protocol to it over ZeroMQ: start, execute, interrupt, restart,
 * shutdown. Many sessions live in one Node process; each has its own key,
 * sockets and request registry, so nothing crosses between them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Channel } from './channel.ts';
import { createConnectionInfo, endpoint, socketPaths, writeConnectionFile } from './connection.ts';
import { BudgetWatch, DiskBudget, diskLimitError } from './disk-budget.ts';
import { diskUsage, type DiskUsage } from './disk-usage.ts';
import { KernelDiedError, KernelStartError, RequestDisposedError } from './errors.ts';
import { Heartbeat } from './heartbeat.ts';
import { waitForSockets } from './ipc-ready.ts';
import { silentLogger, type KernelLogger } from './logger.ts';
import { INPUT_ERROR, classify, makeHeader, toEvent, type KernelMessage } from './messages.ts';
import { OutputArea } from './output-area.ts';
import type { NbOutput } from './outputs.ts';
import { RequestRegistry } from './registry.ts';
import { plainLauncher } from './sandbox/plain.ts';
import { DEFAULT_LIMITS, type KernelLauncher, type SandboxLimits } from './sandbox/types.ts';
import type { ExecuteEvent, ExecuteOptions, ExecuteResult, KernelInfo, KernelState } from './session-types.ts';
import { inheritableDescriptors, stdioWithout } from './spawn-stdio.ts';
import { WireCodec, type WireMessage } from './wire.ts';

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

/** Result of {@link KernelSession.run}: the reply and the cell's outputs, applied. */
export interface RunOutcome {
  result: ExecuteResult;
  outputs: NbOutput[];
  truncated: boolean;
}

/** A running request: iterate for its events, await `result` for how it ended. */
export interface Execution extends AsyncIterable<ExecuteEvent> {
  readonly result: Promise<ExecuteResult>;
}

interface Runtime {
  child: ChildProcess;
  codec: WireCodec;
  sessionId: string;
  shell: Channel;
  control: Channel;
  stdin: Channel;
  iopub: Channel;
  /** Started once the kernel has answered: before that its heartbeat socket may not be bound yet. */
  heartbeat: Heartbeat | null;
  registry: RequestRegistry;
  runtimeDir: string;
  /** The kernel's disk limit, for a kernel in a sandbox (see LaunchCommand.writable). */
  budget: DiskBudget | null;
  exited: Promise<void>;
  stderrTail: string;
  dead: boolean;
  /** Resolves when the first IOPub message has arrived: the SUB socket is then surely subscribed. */
  iopubReady: Promise<void>;
  markIOPubReady: () => void;
}

type Listener<T> = (value: T) => void;

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

export class KernelSession {
  readonly #opts: Required<Omit<KernelSessionOptions, 'launcher' | 'log'>> & { launcher: KernelLauncher; log: KernelLogger };
  #rt: Runtime | null = null;
  #starting: Promise<KernelInfo> | null = null;
  #state: KernelState = 'shutdown';
  #info: KernelInfo | null = null;
  readonly #stateListeners = new Set<Listener<KernelState>>();
  readonly #deathListeners = new Set<Listener<KernelDiedError>>();

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
    return this.#state;
  }

  get info(): KernelInfo | null {
    return this.#info;
  }

  /** The process Duet started (bwrap's, in bwrap mode). */
  get pid(): number | null {
    return this.#rt?.child.pid ?? null;
  }

  /** The kernel's working directory. */
  get workdir(): string {
    return this.#opts.workdir;
  }

  /** The limits the kernel was started with. */
  get limits(): SandboxLimits {
    return this.#opts.limits;
  }

  get launcher(): KernelLauncher {
    return this.#opts.launcher;
  }

  /** Host paths the running kernel's sandbox lets it write (empty without a sandbox, or without a kernel). */
  get writableRoots(): string[] {
    const budget = this.#rt?.budget;
    return budget ? [budget.workdir, ...budget.others] : [];
  }

  /** What the running kernel keeps in the places it may write. */
  diskUsage(): Promise<DiskUsage> {
    return diskUsage(this.writableRoots);
  }

  onState(fn: Listener<KernelState>): () => void {
    this.#stateListeners.add(fn);
    return () => this.#stateListeners.delete(fn);
  }

  /** Called when a running kernel dies (exits, or stops answering its heartbeat). */
  onDeath(fn: Listener<KernelDiedError>): () => void {
    this.#deathListeners.add(fn);
    return () => this.#deathListeners.delete(fn);
  }

  /** Starts the kernel; resolves once it has answered kernel_info_request. */
  start(): Promise<KernelInfo> {
    if (this.#rt && !this.#rt.dead) return Promise.reject(new Error('kernel is already running'));
    return this.#track(this.#startWithRetries());
  }

  /**
   * Remembers a start or restart in progress, so that cells asked for meanwhile
   * wait for the new kernel instead of failing against the old one.
   */
  #track(p: Promise<KernelInfo>): Promise<KernelInfo> {
    const tracked = p.finally(() => {
      if (this.#starting === tracked) this.#starting = null;
    });
    this.#starting = tracked;
    tracked.catch(() => undefined);
    return tracked;
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
    this.#setState('starting');
    const { python, workdir, launcher, limits, log } = this.#opts;
    await mkdir(workdir, { recursive: true });
    const runtimeDir = await mkdtemp(join(tmpdir(), 'duet-kernel-'));
    const tmpDir = join(runtimeDir, 'tmp');
    await mkdir(tmpDir, { mode: 0o700 });
    const info = await createConnectionInfo(launcher.transport, runtimeDir);
    const connectionFile = join(runtimeDir, 'connection.json');
    await writeConnectionFile(connectionFile, info);
    const cmd = launcher.command({ python, connectionFile, runtimeDir, tmpDir, workdir, limits });

    const child = spawnKernel(cmd.command, cmd.args, cmd.env, cmd.cwd);
    log.info({ pid: child.pid, mode: launcher.mode, transport: info.transport }, 'kernel starting');
    const codec = new WireCodec(info.key);
    const registry = new RequestRegistry();
    const sessionId = randomUUID();
    let markIOPubReady = (): void => {};
    const iopubReady = new Promise<void>((r) => (markIOPubReady = r));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

    // Channels are created before the runtime object exists, so they find it through this box.
    const box: { rt: Runtime | null } = { rt: null };
    let stderrTail = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderrTail = (stderrTail + d).slice(-4000);
      if (box.rt) box.rt.stderrTail = stderrTail;
    });
    child.stdout?.resume();
    const spawnFailed = new Promise<void>((resolve) => child.once('error', () => resolve()));
    if (info.transport === 'ipc') {
      // Connected once, when the paths are the kernel's own sockets: nothing else has run in it yet.
      try {
        await waitForSockets(socketPaths(info), Promise.race([exited, spawnFailed]), Date.now() + this.#opts.startTimeoutMs);
      } catch (err) {
        killGroup(child);
        await Promise.race([exited, delay(2000)]);
        await rm(runtimeDir, { recursive: true, force: true }).catch(() => undefined);
        this.#setState('dead');
        throw startFailure(err, stderrTail, python);
      }
    }
    const onMessage = (channel: 'shell' | 'control' | 'iopub' | 'stdin') => (msg: WireMessage) => {
      if (box.rt) this.#dispatch(box.rt, channel, msg);
    };
    const routingId = `duet-${sessionId}`;
    const reconnect = info.transport === 'tcp';
    const budget = cmd.writable
      ? new DiskBudget(workdir, cmd.writable.filter((p) => p !== workdir), limits.diskBytes, limits.maxFiles ?? DEFAULT_LIMITS.maxFiles)
      : null;
    const rt: Runtime = {
      child,
      codec,
      sessionId,
      registry,
      runtimeDir,
      budget,
      exited,
      stderrTail,
      dead: false,
      iopubReady,
      markIOPubReady: () => markIOPubReady(),
      shell: new Channel({ name: 'shell', kind: 'dealer', endpoint: endpoint(info, 'shell'), codec, routingId, reconnect, log, onMessage: onMessage('shell') }),
      control: new Channel({ name: 'control', kind: 'dealer', endpoint: endpoint(info, 'control'), codec, reconnect, log, onMessage: onMessage('control') }),
      stdin: new Channel({ name: 'stdin', kind: 'dealer', endpoint: endpoint(info, 'stdin'), codec, routingId, reconnect, log, onMessage: onMessage('stdin') }),
      iopub: new Channel({ name: 'iopub', kind: 'sub', endpoint: endpoint(info, 'iopub'), codec, reconnect, log, onMessage: onMessage('iopub') }),
      heartbeat: null,
    };
    box.rt = rt;
    this.#rt = rt;
    child.once('exit', (code, signal) => this.#died(rt, signal ? `process killed by ${signal}` : `process exited with code ${code}`));
    child.once('error', (err) => this.#died(rt, `could not start ${cmd.command}: ${err.message}`));

    try {
      const reply = await this.#waitForReady(rt);
      // Not earlier: a kernel still importing (slow on a busy machine) has no heartbeat yet and would be taken for dead.
      if (rt.dead) throw new Error('the kernel died as it started');
      rt.heartbeat = new Heartbeat(endpoint(info, 'hb'), (silentMs) => this.#died(rt, `heartbeat silent for ${silentMs} ms`), { reconnect });
      this.#info = {
        protocolVersion: reply.protocol_version,
        implementation: reply.implementation,
        implementationVersion: reply.implementation_version,
        languageVersion: reply.language_info.version ?? 'unknown',
        sandbox: launcher.mode,
      };
      this.#setState('idle');
      log.info({ pid: child.pid, ...this.#info }, 'kernel ready');
      return this.#info;
    } catch (err) {
      await this.#teardown(rt);
      this.#setState('dead');
      const failure = startFailure(err, rt.stderrTail, python);
      throw err instanceof PortTakenError ? new PortTakenError(err.message, { cause: failure }) : failure;
    }
  }

  /**
   * Sends kernel_info_request until the kernel answers on shell and IOPub has
   * delivered a message (ZeroMQ's slow-joiner: outputs sent before the SUB socket
   * is subscribed are lost, so start() waits for proof that it is).
   */
  async #waitForReady(rt: Runtime): Promise<{ protocol_version: string; implementation: string; implementation_version: string; language_info: { version?: string } }> {
    const deadline = Date.now() + this.#opts.startTimeoutMs;
    let died: Error | null = null;
    const deathWatch = rt.exited.then(() => {
      died = new Error('the kernel process exited');
    });
    void deathWatch;
    while (Date.now() < deadline) {
      if (died) throw died;
      // A kernel that could not bind a port does not always exit; waiting for it would take the whole timeout.
      if (rt.stderrTail.includes('Address already in use')) throw new PortTakenError('a port the kernel needed was already in use');
      const attempt = this.#kernelInfo(rt);
      const winner = await Promise.race([
        Promise.all([attempt, rt.iopubReady]).then(([r]) => r),
        rt.exited.then(() => 'exited' as const),
        delay(Math.min(START_POLL_MS, Math.max(0, deadline - Date.now()))).then(() => 'timeout' as const),
      ]);
      if (winner === 'exited') throw new Error('the kernel process exited');
      if (winner !== 'timeout') return winner;
      // Drop the old request; its reply, if it ever comes, finds nothing waiting.
    }
    throw new Error(`no kernel_info_reply within ${this.#opts.startTimeoutMs} ms`);
  }

  #kernelInfo(rt: Runtime): Promise<{ protocol_version: string; implementation: string; implementation_version: string; language_info: { version?: string } }> {
    return new Promise((resolve, reject) => {
      const header = makeHeader('kernel_info_request', rt.sessionId);
      rt.registry.add(header.msg_id, { onIOPub: () => {}, reply: null, idle: false, resolve: resolve as (r: unknown) => void, reject });
      rt.shell.send(rt.codec.encode({ header, parent_header: {}, metadata: {}, content: {} })).catch(reject);
    });
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
  async run(code: string, opts: ExecuteOptions = {}): Promise<RunOutcome> {
    const area = new OutputArea(this.#opts.outputBudget);
    const result = await this.send(code, {
      ...opts,
      onEvent: (ev) => {
        area.apply(ev);
        opts.onEvent?.(ev);
      },
    });
    return { result, outputs: area.outputs, truncated: area.truncated };
  }

  /**
   * Runs code and hands each event to `opts.onEvent` as it arrives, keeping none of
   * them: for callers that apply events as they come (the cell runner), so a cell
   * that floods output holds nothing here. Resolves once the reply and the
   * kernel's idle have both arrived.
   */
  send(code: string, opts: ExecuteOptions = {}): Promise<ExecuteResult> {
    if (this.#starting) {
      return this.#starting.then(
        () => this.send(code, opts),
        () => Promise.reject(new KernelDiedError('the kernel could not be started')),
      );
    }
    const rt = this.#rt;
    if (!rt || rt.dead) return Promise.reject(new KernelDiedError('no kernel is running'));
    if (opts.signal?.aborted) return Promise.reject(new RequestDisposedError('the cell was cancelled before it started'));
    const header = makeHeader('execute_request', rt.sessionId);
    const onAbort = (): void => {
      void this.interrupt().catch(() => undefined);
    };
    // Past the disk limit the cell is told why and interrupted; the KeyboardInterrupt that follows is Duet's doing, not news.
    const disk = rt.budget
      ? new BudgetWatch(
          rt.budget,
          (over) => {
            opts.onEvent?.({ kind: 'output', output: diskLimitError(over) });
            void this.interrupt().catch(() => undefined);
          },
          DISK_CHECK_MS,
        )
      : null;
    const sent = new Promise<ExecuteResult>((resolve, reject) => {
      rt.registry.add<unknown>(header.msg_id, {
        onIOPub: (m) => {
          const ev = toEvent(m as KernelMessage);
          if (!ev) return;
          if (disk?.reported && ev.kind === 'output' && ev.output.output_type === 'error' && ev.output.ename === 'KeyboardInterrupt') return;
          opts.onEvent?.(ev);
        },
        reply: null,
        idle: false,
        replyIfLost: { status: 'aborted', execution_count: null },
        resolve: (r) => {
          const reply = r as Extract<KernelMessage, { msg_type: 'execute_reply' }>['content'];
          resolve({
            status: reply.status,
            executionCount: reply.execution_count,
            ...(reply.ename !== undefined ? { ename: reply.ename } : {}),
            ...(reply.evalue !== undefined ? { evalue: reply.ename === 'StdinNotImplementedError' ? INPUT_ERROR : reply.evalue } : {}),
          });
        },
        reject,
      });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const content = {
        code,
        silent: false,
        store_history: opts.storeHistory ?? true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: false,
      };
      rt.shell.send(rt.codec.encode({ header, parent_header: {}, metadata: {}, content })).catch((err: unknown) => {
        rt.registry.remove(header.msg_id);
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    }).finally(() => opts.signal?.removeEventListener('abort', onAbort));
    if (!disk) return sent;
    return sent.then(
      (result) => this.#afterDiskCheck(disk, result, opts),
      (err: unknown) => {
        disk.stop();
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
   * Interrupts the running cell: interrupt_request on the control channel, and
   * SIGINT to the process when the kernel does not answer that within a second.
   */
  async interrupt(): Promise<void> {
    const rt = this.#rt;
    if (!rt || rt.dead) return;
    const header = makeHeader('interrupt_request', rt.sessionId);
    const replied = new Promise<unknown>((resolve, reject) => {
      rt.registry.add(header.msg_id, { onIOPub: () => {}, reply: null, idle: false, resolve, reject });
    });
    replied.catch(() => undefined);
    await rt.control.send(rt.codec.encode({ header, parent_header: {}, metadata: {}, content: {} })).catch(() => undefined);
    const answered = await Promise.race([replied.then(() => true, () => false), delay(1000).then(() => false)]);
    rt.registry.remove(header.msg_id);
    // In bwrap mode the child is bwrap, not Python: a signal would end the whole jail.
    // Callers that need the cell gone (the cell time limit, Stop) restart the kernel instead.
    if (!answered && this.#opts.launcher.mode === 'bwrap') {
      this.#opts.log.warn({ pid: rt.child.pid }, 'kernel did not answer interrupt_request');
      return;
    }
    if (!answered && !rt.dead && rt.child.pid) {
      this.#opts.log.warn({ pid: rt.child.pid }, 'kernel did not answer interrupt_request; sending SIGINT');
      try {
        process.kill(rt.child.pid, 'SIGINT');
      } catch {
        // Already gone: the exit handler reports it.
      }
    }
  }

  /** Stops the kernel (gracefully, then by force) and starts a fresh one. */
  restart(): Promise<KernelInfo> {
    // Two restarts asked for at once make one.
    if (this.#starting && this.#state === 'restarting') return this.#starting;
    this.#setState('restarting');
    return this.#track(
      (async () => {
        const rt = this.#rt;
        if (rt) {
          rt.registry.disposeAll(new KernelDiedError('the kernel was restarted'));
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
      this.#setState('shutdown');
      return;
    }
    rt.registry.disposeAll(new RequestDisposedError('the kernel was shut down'));
    await this.#stop(rt);
    this.#rt = null;
    this.#setState('shutdown');
  }

  async #stop(rt: Runtime): Promise<void> {
    if (!rt.dead) {
      rt.dead = true;
      const header = makeHeader('shutdown_request', rt.sessionId);
      await rt.control.send(rt.codec.encode({ header, parent_header: {}, metadata: {}, content: { restart: false } })).catch(() => undefined);
      const exited = await Promise.race([rt.exited.then(() => true), delay(1500).then(() => false)]);
      if (!exited) killGroup(rt.child);
    }
    await this.#teardown(rt);
  }

  async #teardown(rt: Runtime): Promise<void> {
    rt.dead = true;
    killGroup(rt.child);
    await rt.heartbeat?.close();
    for (const ch of [rt.shell, rt.control, rt.stdin, rt.iopub]) ch.close();
    await Promise.race([rt.exited, delay(2000)]);
    await rm(rt.runtimeDir, { recursive: true, force: true }).catch(() => undefined);
  }

  #died(rt: Runtime, detail: string): void {
    if (rt.dead || this.#rt !== rt) {
      rt.dead = true;
      return;
    }
    rt.dead = true;
    const err = new KernelDiedError(detail);
    this.#opts.log.warn({ pid: rt.child.pid, detail, stderr: rt.stderrTail.slice(-1000) }, 'kernel died');
    rt.registry.disposeAll(err);
    void this.#teardown(rt);
    this.#setState('dead');
    for (const fn of this.#deathListeners) fn(err);
  }

  #dispatch(rt: Runtime, channel: 'shell' | 'control' | 'iopub' | 'stdin', raw: WireMessage): void {
    const msg = classify(raw);
    switch (channel) {
      case 'iopub':
        rt.markIOPubReady();
        if (msg.msg_type === 'status') {
          if (msg.content.execution_state === 'idle') rt.registry.idle(msg.parent);
          if (this.#rt === rt && this.#state !== 'starting' && this.#state !== 'restarting') {
            if (msg.content.execution_state === 'busy' || msg.content.execution_state === 'idle') this.#setState(msg.content.execution_state);
          }
          return;
        }
        rt.registry.get(msg.parent)?.onIOPub(msg);
        return;
      case 'shell':
        if (msg.msg_type === 'execute_reply' || msg.msg_type === 'kernel_info_reply') {
          if (msg.msg_type === 'kernel_info_reply') rt.registry.resolveNow(msg.parent, msg.content);
          else rt.registry.replied(msg.parent, msg.content);
        }
        return;
      case 'control':
        if (msg.msg_type === 'interrupt_reply' || msg.msg_type === 'shutdown_reply') rt.registry.resolveNow(msg.parent, msg.content);
        return;
      case 'stdin':
        if (msg.msg_type === 'input_request') {
          // Never left waiting: answer at once, and tell the cell why it got nothing.
          rt.registry.get(msg.parent)?.onIOPub({ msg_type: 'stream', parent: msg.parent, content: { name: 'stderr', text: `${INPUT_ERROR}\n` } });
          const header = makeHeader('input_reply', rt.sessionId);
          void rt.stdin
            .send(rt.codec.encode({ header, parent_header: raw.header, metadata: {}, content: { value: '', status: 'error' } }))
            .catch(() => undefined);
        }
        return;
    }
  }

  #setState(state: KernelState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const fn of this.#stateListeners) fn(state);
  }
}

/** The error start() gives, with the kernel's last words. */
function startFailure(err: unknown, stderrTail: string, python: string): KernelStartError {
  const detail = stderrTail.trim().split('\n').slice(-5).join('\n');
  return new KernelStartError(
    `The Python kernel did not start (${err instanceof Error ? err.message : String(err)}).` +
      (detail ? `\nIts last words:\n${detail}` : '') +
      `\nCheck that ${python} can run "import ipykernel".`,
  );
}

/**
 * Starts a kernel process in a group of its own, with nothing from this process
 * but its stdio: every descriptor it would inherit is /dev/null in the child.
 */
function spawnKernel(command: string, args: string[], env: Record<string, string>, cwd: string): ChildProcess {
  const inherited = inheritableDescriptors();
  const devNull = inherited.length > 0 ? openSync('/dev/null', 'r') : -1;
  try {
    return spawn(command, args, { env, cwd, detached: true, stdio: stdioWithout(inherited, devNull, ['ignore', 'pipe', 'pipe']) });
  } finally {
    if (devNull >= 0) closeSync(devNull);
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
