/**
 * The process side of a local kernel, as jupyter_client's manager and restarter
 * are: a private runtime directory with the connection file, the process started
 * in a group of its own, the tail of its stderr, its heartbeat, and the kill of
 * its whole group. It speaks no Jupyter messages; {@link KernelClient} does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnectionInfo, endpoint, socketPaths, writeConnectionFile, type ConnectionInfo } from './connection.ts';
import { delay } from './delay.ts';
import { DiskBudget } from './disk-budget.ts';
import { KernelStartError } from './errors.ts';
import { Heartbeat } from './heartbeat.ts';
import { waitForSockets } from './ipc-ready.ts';
import type { KernelLogger } from './logger.ts';
import { DEFAULT_LIMITS, type KernelLauncher, type SandboxLimits } from './sandbox/types.ts';
import { inheritableDescriptors, stdioWithout } from './spawn-stdio.ts';

export interface KernelProcessOptions {
  python: string;
  workdir: string;
  launcher: KernelLauncher;
  limits: SandboxLimits;
  log: KernelLogger;
  /** How long to wait for an ipc kernel's sockets. */
  startTimeoutMs: number;
  /** The HMAC key; a fresh random one when absent (a gateway's own, for a kernel behind {@link KernelProxy}). */
  key?: string;
}

/** How much of the kernel's stderr is kept, for the error that says why it died or did not start. */
const STDERR_TAIL_CHARS = 4000;

/** One kernel process, from spawn to the removal of its runtime directory. */
export class KernelProcess {
  readonly #child: ChildProcess;
  #heartbeat: Heartbeat | null = null;
  #stderrTail = '';
  /** Why the process ended, once it has. */
  #ended: string | null = null;
  #exitStatus: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly #endListeners = new Set<(detail: string) => void>();
  /** Resolves when the process has exited (or never started). */
  readonly exited: Promise<void>;

  private constructor(
    child: ChildProcess,
    command: string,
    readonly info: ConnectionInfo,
    readonly runtimeDir: string,
    /** The kernel's disk limit, for a kernel in a sandbox (see LaunchCommand.writable). */
    readonly budget: DiskBudget | null,
  ) {
    this.#child = child;
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.#stderrTail = (this.#stderrTail + d).slice(-STDERR_TAIL_CHARS);
    });
    child.stdout?.resume();
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exitStatus = { code, signal };
        this.#end(signal ? `process killed by ${signal}` : `process exited with code ${code}`);
        resolve();
      });
      child.once('error', (err) => {
        this.#end(`could not start ${command}: ${err.message}`);
        resolve();
      });
    });
  }

  /**
   * Starts a kernel process; for an ipc kernel, resolves once its sockets exist
   * (connected to once, when nothing but the kernel's own start-up has run in it).
   */
  static async launch(o: KernelProcessOptions): Promise<KernelProcess> {
    const { python, workdir, launcher, limits, log } = o;
    await mkdir(workdir, { recursive: true });
    const runtimeDir = await mkdtemp(join(tmpdir(), 'duet-kernel-'));
    const tmpDir = join(runtimeDir, 'tmp');
    await mkdir(tmpDir, { mode: 0o700 });
    const info = await createConnectionInfo(launcher.transport, runtimeDir, o.key);
    const connectionFile = join(runtimeDir, 'connection.json');
    await writeConnectionFile(connectionFile, info);
    const cmd = launcher.command({ python, connectionFile, runtimeDir, tmpDir, workdir, limits });
    const budget = cmd.writable
      ? new DiskBudget(workdir, cmd.writable.filter((p) => p !== workdir), limits.diskBytes, limits.maxFiles ?? DEFAULT_LIMITS.maxFiles)
      : null;
    const proc = new KernelProcess(spawnKernel(cmd.command, cmd.args, cmd.env, cmd.cwd), cmd.command, info, runtimeDir, budget);
    log.info({ pid: proc.pid, mode: launcher.mode, transport: info.transport }, 'kernel starting');
    if (info.transport === 'ipc') {
      try {
        await waitForSockets(socketPaths(info), proc.exited, Date.now() + o.startTimeoutMs);
      } catch (err) {
        await proc.dispose();
        throw startFailure(err, proc.stderrTail, python);
      }
    }
    return proc;
  }

  /** The process Duet started (bwrap's, in bwrap mode). */
  get pid(): number | null {
    return this.#child.pid ?? null;
  }

  /** The last few thousand characters the kernel wrote to stderr. */
  get stderrTail(): string {
    return this.#stderrTail;
  }

  /** Why the process ended, or null while it runs. */
  get ended(): string | null {
    return this.#ended;
  }

  /** The process's exit code or the signal that ended it, once it has exited; null before (or when it never started). */
  get exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | null {
    return this.#exitStatus;
  }

  /** Calls `fn` once the process has ended, with why; at once (on the next tick) if it already has. */
  onEnd(fn: (detail: string) => void): void {
    const ended = this.#ended;
    if (ended !== null) queueMicrotask(() => fn(ended));
    else this.#endListeners.add(fn);
  }

  /**
   * Starts the heartbeat; `onSilent` fires once if it stops answering. Not at
   * spawn: a kernel still importing (slow on a busy machine) has no heartbeat yet.
   */
  watchHeartbeat(onSilent: (silentMs: number) => void): void {
    this.#heartbeat ??= new Heartbeat(endpoint(this.info, 'hb'), onSilent, { reconnect: this.info.transport === 'tcp' });
  }

  /** Sends `signal` to the kernel process alone; false when it is gone. */
  signal(signal: NodeJS.Signals): boolean {
    if (this.#ended !== null || this.#child.pid === undefined) return false;
    try {
      process.kill(this.#child.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** Waits up to `ms` for the process to exit; true if it did. */
  waitForExit(ms: number): Promise<boolean> {
    return Promise.race([this.exited.then(() => true), delay(ms).then(() => false)]);
  }

  /** Kills the process group, stops the heartbeat and removes the runtime directory. Safe to call twice. */
  async dispose(): Promise<void> {
    killGroup(this.#child);
    await this.#heartbeat?.close();
    await this.waitForExit(2000);
    await rm(this.runtimeDir, { recursive: true, force: true }).catch(() => undefined);
  }

  #end(detail: string): void {
    if (this.#ended !== null) return;
    this.#ended = detail;
    for (const fn of this.#endListeners) fn(detail);
    this.#endListeners.clear();
  }
}

/** The error a failed start gives, with the kernel's last words. */
export function startFailure(err: unknown, stderrTail: string, python: string): KernelStartError {
  if (err instanceof KernelStartError) return err;
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
