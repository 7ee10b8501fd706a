/**
 * The kernel as the rest of Duet sees it: one narrow interface, as
 * `IKernelConnection` is to JupyterLab. {@link KernelSession} is the local
 * implementation (a process in a sandbox on this machine); a remote kernel or a
 * scripted fake for tests implements the same thing.
 */
import type { KernelDiedError } from './errors.ts';
import type { SandboxLimits } from './sandbox/types.ts';
import type { ExecuteOptions, ExecuteResult, KernelInfo, KernelState } from './session-types.ts';

/**
 * What one interrupt did. `replied`: the kernel answered interrupt_request;
 * `signalled`: it did not, so the process was sent SIGINT; `unanswered`: it did
 * not and no signal could be sent (bwrap's child is the jail, not Python);
 * `no-kernel`: nothing was running.
 */
export type InterruptOutcome = 'replied' | 'signalled' | 'unanswered' | 'no-kernel';

/**
 * Where a kernel runs: on this machine (in Duet's sandbox), or on a gateway
 * (Jupyter Server, Kernel Gateway, Enterprise Gateway), whose isolation it has.
 */
export type KernelLocation = { kind: 'local' } | { kind: 'remote'; gateway: string; host: string };

/** A kernel Duet can run code in. */
export interface KernelConnection {
  /** What the kernel is doing now. */
  readonly state: KernelState;
  /** The kernel's local process id, for CPU sampling; null when it has none here (not started, or remote). */
  readonly pid: number | null;
  /** The kernel's working directory: the only place its code may write. */
  readonly workdir: string;
  /** The limits the kernel runs under (on a gateway, only the time limit and output cap are Duet's to keep). */
  readonly limits: SandboxLimits;
  /** Where the kernel runs. */
  readonly location: KernelLocation;
  /**
   * True when the kernel itself holds what its code writes to `limits.diskBytes`,
   * measuring around every cell (a local session in a sandbox, which knows every
   * place the sandbox lets it write); a caller then need not measure too.
   */
  readonly keepsDiskLimit: boolean;

  /** Calls `fn` on every change of {@link state}; returns the unsubscribe. */
  onState(fn: (state: KernelState) => void): () => void;
  /** Calls `fn` when a running kernel dies (exits, or stops answering); returns the unsubscribe. */
  onDeath(fn: (err: KernelDiedError) => void): () => void;

  /** Starts the kernel; resolves once it answers. */
  start(): Promise<KernelInfo>;
  /**
   * Runs code, handing each event to `opts.onEvent` as it arrives and keeping none.
   * Resolves once the kernel has both replied and gone idle; rejects with
   * KernelDiedError when the kernel dies or is restarted under it.
   */
  send(code: string, opts?: ExecuteOptions): Promise<ExecuteResult>;
  /**
   * Sends one interrupt and says what became of it. It does not wait for the
   * running cell to end, nor promise that it will: a kernel drops an interrupt
   * that lands before the cell's code begins. A caller that needs the cell gone
   * repeats it while the cell runs and restarts the kernel past a grace period.
   */
  interrupt(): Promise<InterruptOutcome>;
  /** Stops the kernel and starts a fresh one; requests waiting on the old one fail. */
  restart(): Promise<KernelInfo>;
  /** Stops the kernel for good. Safe to call twice. */
  shutdown(): Promise<void>;
}
