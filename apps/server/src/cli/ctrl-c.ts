/**
 * Ctrl-C (or SIGTERM) for a command that sets things up, then works: during the
 * set-up it abandons the set-up at once (whatever step is waiting); once the work
 * has begun it asks the work to stop, keeping what is done; a second quits at once.
 */
import type { Io } from './run-command.ts';

/** Thrown by {@link CtrlC.setup} when Ctrl-C came before the work began. */
export class SetupAbandoned extends Error {
  override readonly name = 'SetupAbandoned';
}

export class CtrlC {
  #presses = 0;
  #stop: (() => void) | null = null;
  #abandon: (err: Error) => void = () => {};
  readonly #abandoned: Promise<never>;
  readonly #remove: () => void;

  constructor(io: Io) {
    this.#abandoned = new Promise<never>((_, reject) => (this.#abandon = reject));
    this.#abandoned.catch(() => undefined);
    const press = (): void => {
      this.#presses += 1;
      if (this.#presses > 1) process.exit(1);
      if (this.#stop) this.#stop();
      else this.#abandon(new SetupAbandoned());
    };
    const offInterrupt = io.onInterrupt(press);
    const offTerminate = io.onTerminate?.(press);
    this.#remove = () => {
      offInterrupt();
      offTerminate?.();
    };
  }

  /** A set-up step that Ctrl-C abandons. */
  setup<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.#abandoned]);
  }

  /** The work has begun: Ctrl-C now calls `stop`. */
  working(stop: () => void): void {
    this.#stop = stop;
  }

  dispose(): void {
    this.#remove();
  }
}
