/**
 * A Duet kernel started by a gateway through a kernelspec: the gateway wrote a
 * connection file and expects a kernel on its ports; this starts Duet's kernel in
 * its sandbox, on ipc sockets in a private runtime directory as always, with the
 * gateway's key, and passes the channels through ({@link KernelProxy}). It lives
 * as long as the kernel process does. The disk limit is kept as a session keeps
 * it, by the proxy ({@link ProxyDiskWatch}).
 */
import { constants } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { ConnectionInfo } from './connection.ts';
import { KernelProcess } from './kernel-process.ts';
import { KernelProxy } from './kernel-proxy.ts';
import { silentLogger, type KernelLogger } from './logger.ts';
import { ProxyDiskWatch } from './proxy-disk-watch.ts';
import { makeHeader } from './messages.ts';
import { DEFAULT_LIMITS, type KernelLauncher, type SandboxLimits } from './sandbox/types.ts';
import { WireCodec } from './wire.ts';

export interface ProxiedKernelOptions {
  /** The gateway's connection file: where to listen, and the key. */
  gateway: ConnectionInfo;
  /** Interpreter with ipykernel (see findPython). */
  python: string;
  /** The kernel's working directory: the only place its code may write. */
  workdir: string;
  /** A sandbox launcher (ipc transport). */
  launcher: KernelLauncher;
  limits?: SandboxLimits;
  log?: KernelLogger;
  /** How long to wait for the kernel's sockets. */
  startTimeoutMs?: number;
}

export class ProxiedKernel {
  /** Resolves with the kernel's exit code (128 + the signal's number when a signal ended it), once the proxy is closed too. */
  readonly exited: Promise<number>;
  readonly #proc: KernelProcess;
  readonly #proxy: KernelProxy;
  readonly #codec: WireCodec;
  readonly #session = randomUUID();

  private constructor(proc: KernelProcess, proxy: KernelProxy, key: string, log: KernelLogger) {
    this.#proc = proc;
    this.#proxy = proxy;
    this.#codec = new WireCodec(key);
    const disk = proc.budget ? new ProxyDiskWatch(proc.budget, proxy, this.#codec, () => this.interrupt(), log) : null;
    this.exited = proc.exited.then(async () => {
      disk?.stop();
      proxy.close();
      // Kills whatever the kernel left in its process group, and removes the runtime directory.
      await proc.dispose();
      return exitCode(proc.exitStatus);
    });
  }

  /** Listens on the gateway's endpoints, starts the kernel, and connects the two. */
  static async start(o: ProxiedKernelOptions): Promise<ProxiedKernel> {
    const log = o.log ?? silentLogger;
    if (o.launcher.transport !== 'ipc') throw new Error(`the ${o.launcher.mode} launcher uses ${o.launcher.transport}; a proxied kernel needs a sandbox launcher (ipc).`);
    const proxy = await KernelProxy.listen(o.gateway, log);
    let proc: KernelProcess;
    try {
      proc = await KernelProcess.launch({
        python: o.python,
        workdir: o.workdir,
        launcher: o.launcher,
        limits: o.limits ?? DEFAULT_LIMITS,
        log,
        startTimeoutMs: o.startTimeoutMs ?? 30_000,
        key: o.gateway.key,
      });
    } catch (err) {
      proxy.close();
      throw err;
    }
    const kernel = new ProxiedKernel(proc, proxy, o.gateway.key, log);
    proxy.attach(proc.info);
    return kernel;
  }

  /** The process Duet started (bwrap's, in bwrap mode). */
  get pid(): number | null {
    return this.#proc.pid;
  }

  /** The last few thousand characters the kernel wrote to stderr. */
  get stderrTail(): string {
    return this.#proc.stderrTail;
  }

  /**
   * Sends interrupt_request on the control channel, as the gateway does for a
   * kernelspec with interrupt_mode "message". Never a signal: in bwrap mode the
   * process is the jail, and a signal would end it all.
   */
  async interrupt(): Promise<void> {
    const frames = this.#codec.encode({ header: makeHeader('interrupt_request', this.#session), parent_header: {}, metadata: {}, content: {} });
    await this.#proxy.sendControl(frames);
  }

  /** Kills the kernel's process group and closes the proxy; resolves with the exit code. */
  async stop(): Promise<number> {
    this.#proxy.close();
    await this.#proc.dispose();
    return this.exited;
  }
}

/** A shell's exit status for a process: its code, or 128 + the number of the signal that ended it. */
function exitCode(status: { code: number | null; signal: NodeJS.Signals | null } | null): number {
  if (!status) return 1;
  if (status.code !== null) return status.code;
  return status.signal ? 128 + (constants.signals[status.signal] ?? 0) : 1;
}
