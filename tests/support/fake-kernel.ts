/**
 * A scripted {@link KernelConnection} for tests that need a kernel but not
 * Python, as JupyterLab's KernelMock and jupyter_client's misbehaving test
 * kernels are: each code string gets a scripted behaviour, and the kernel itself
 * can lose interrupts or drop their replies.
 */
import { DEFAULT_LIMITS, KernelDiedError, assertNever, type ExecuteEvent, type ExecuteOptions, type ExecuteResult, type InterruptOutcome, type KernelConnection, type KernelInfo, type KernelState, type NbOutput, type SandboxLimits } from '@duet/kernel';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/** What the fake kernel does with one cell. */
export type FakeCell =
  /** Emits `outputs`, then replies: `ok`, or an error when `error` is given (its error output is emitted too). */
  | { kind: 'reply'; outputs?: NbOutput[]; error?: { ename: string; evalue: string } }
  /** Runs until an interrupt reaches it, then ends with KeyboardInterrupt. */
  | { kind: 'spin'; outputs?: NbOutput[] }
  /** Runs and never goes idle: interrupts do nothing; only a restart ends it. */
  | { kind: 'deaf'; outputs?: NbOutput[] }
  /** Emits `outputs`, then the kernel process dies under the cell. */
  | { kind: 'die'; outputs?: NbOutput[] }
  /** The request fails with `error` (not a kernel death): a channel gone, a request disposed. */
  | { kind: 'throw'; error: Error };

export interface FakeKernelOptions {
  /** Behaviour per exact code string. */
  cells?: Record<string, FakeCell>;
  /** Behaviour of code not in `cells`; by default it replies `ok` with no output. */
  fallback?: (code: string) => FakeCell;
  /** How many interrupts are lost, as one that lands between the kernel's busy and the cell's code is. */
  loseInterrupts?: number;
  /** The kernel never answers interrupt_request (each interrupt still reaches the cell, unless lost). */
  dropInterruptReply?: boolean;
  limits?: SandboxLimits;
}

/** Output helpers for scripts. */
export const stdout = (text: string): NbOutput => ({ output_type: 'stream', name: 'stdout', text });

interface Running {
  cell: FakeCell;
  /** Ends the cell with a KeyboardInterrupt; false if the cell ignores interrupts. */
  interrupt(): boolean;
  fail(err: Error): void;
}

export class FakeKernel implements KernelConnection {
  readonly workdir = join(tmpdir(), 'duet-fake-kernel-workdir-never-created');
  readonly limits: SandboxLimits;
  readonly pid = null;
  readonly location = { kind: 'local' } as const;
  readonly keepsDiskLimit = false;
  /** Every code string sent, in order. */
  readonly ran: string[] = [];
  /** Every interrupt asked for, with what it did. */
  readonly interrupts: InterruptOutcome[] = [];
  restarts = 0;
  #state: KernelState = 'idle';
  #count = 0;
  #lostLeft: number;
  #running: Running | null = null;
  readonly #o: FakeKernelOptions;
  readonly #stateListeners = new Set<(s: KernelState) => void>();
  readonly #deathListeners = new Set<(e: KernelDiedError) => void>();

  constructor(opts: FakeKernelOptions = {}) {
    this.#o = opts;
    this.#lostLeft = opts.loseInterrupts ?? 0;
    this.limits = opts.limits ?? DEFAULT_LIMITS;
  }

  get state(): KernelState {
    return this.#state;
  }

  onState(fn: (s: KernelState) => void): () => void {
    this.#stateListeners.add(fn);
    return () => this.#stateListeners.delete(fn);
  }

  onDeath(fn: (e: KernelDiedError) => void): () => void {
    this.#deathListeners.add(fn);
    return () => this.#deathListeners.delete(fn);
  }

  async start(): Promise<KernelInfo> {
    this.#setState('idle');
    return INFO;
  }

  send(code: string, opts: ExecuteOptions = {}): Promise<ExecuteResult> {
    if (this.#state === 'dead' || this.#state === 'shutdown') return Promise.reject(new KernelDiedError('no kernel is running'));
    if (this.#running) return Promise.reject(new Error('the fake kernel runs one cell at a time'));
    this.ran.push(code);
    const cell = this.#o.cells?.[code] ?? this.#o.fallback?.(code) ?? { kind: 'reply' };
    const count = ++this.#count;
    const emit = (output: NbOutput): void => opts.onEvent?.({ kind: 'output', output } satisfies ExecuteEvent);
    this.#setState('busy');
    return new Promise<ExecuteResult>((resolve, reject) => {
      const end = (result: ExecuteResult): void => {
        this.#running = null;
        this.#setState('idle');
        resolve(result);
      };
      const running: Running = {
        cell,
        interrupt: () => {
          if (cell.kind !== 'spin') return false;
          emit({ output_type: 'error', ename: 'KeyboardInterrupt', evalue: '', traceback: ['KeyboardInterrupt'] });
          end({ status: 'error', executionCount: count, ename: 'KeyboardInterrupt', evalue: '' });
          return true;
        },
        fail: (err) => {
          this.#running = null;
          reject(err);
        },
      };
      this.#running = running;
      // The kernel answers on later ticks, as a real one does.
      setImmediate(() => {
        switch (cell.kind) {
          case 'reply':
            for (const o of cell.outputs ?? []) emit(o);
            if (cell.error) {
              emit({ output_type: 'error', ...cell.error, traceback: [`${cell.error.ename}: ${cell.error.evalue}`] });
              end({ status: 'error', executionCount: count, ...cell.error });
            } else end({ status: 'ok', executionCount: count });
            return;
          case 'spin':
          case 'deaf':
            for (const o of cell.outputs ?? []) emit(o);
            return;
          case 'die':
            for (const o of cell.outputs ?? []) emit(o);
            this.#die('process killed by SIGKILL');
            return;
          case 'throw':
            running.fail(cell.error);
            this.#setState('idle');
            return;
          default:
            assertNever(cell, 'fake cell');
        }
      });
    });
  }

  async interrupt(): Promise<InterruptOutcome> {
    const outcome = this.#interrupt();
    this.interrupts.push(outcome);
    return outcome;
  }

  #interrupt(): InterruptOutcome {
    if (this.#state === 'dead' || this.#state === 'shutdown') return 'no-kernel';
    if (this.#lostLeft > 0) this.#lostLeft -= 1;
    else this.#running?.interrupt();
    return this.#o.dropInterruptReply ? 'unanswered' : 'replied';
  }

  async restart(): Promise<KernelInfo> {
    this.restarts += 1;
    this.#setState('restarting');
    this.#running?.fail(new KernelDiedError('the kernel was restarted'));
    this.#count = 0;
    this.#setState('idle');
    return INFO;
  }

  async shutdown(): Promise<void> {
    this.#running?.fail(new KernelDiedError('the kernel was shut down'));
    this.#setState('shutdown');
  }

  #die(detail: string): void {
    const err = new KernelDiedError(detail);
    this.#running?.fail(err);
    this.#setState('dead');
    for (const fn of this.#deathListeners) fn(err);
  }

  #setState(state: KernelState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const fn of this.#stateListeners) fn(state);
  }
}

const INFO: KernelInfo = { protocolVersion: '5.3', implementation: 'fake', implementationVersion: '0', languageVersion: '3', sandbox: 'none' };
