/** Which wait ran out: the first token's, or the one between chunks after it. */
export type ClockPhase = 'first-token' | 'idle';

/**
 * The two timeouts of one answer. Until the first token, one deadline counted from the
 * request covers everything (connecting, loading, prompt processing); after it, each
 * chunk that carries some of the answer restarts a shorter idle wait. The clock is held
 * while the caller handles what arrived, so a slow consumer is never taken for a stalled
 * server.
 */
export class AnswerClock {
  readonly #started = performance.now();
  readonly #deadline: number;
  readonly #idleMs: number;
  readonly #onExpire: () => void;
  #phase: ClockPhase = 'first-token';
  #timer: ReturnType<typeof setTimeout> | undefined;
  #expired: ClockPhase | undefined;

  constructor(firstTokenMs: number, idleMs: number, onExpire: () => void) {
    this.#deadline = this.#started + firstTokenMs;
    this.#idleMs = idleMs;
    this.#onExpire = onExpire;
  }

  /** Which wait ran out, once one did. */
  get expired(): ClockPhase | undefined {
    return this.#expired;
  }

  get phase(): ClockPhase {
    return this.#phase;
  }

  /** Milliseconds since the clock was made (the first request). */
  waitedMs(): number {
    return performance.now() - this.#started;
  }

  /** Counts down again: what is left of the first-token wait, or a whole idle wait. */
  arm(): void {
    this.hold();
    if (this.#expired !== undefined) return;
    const ms = this.#phase === 'first-token' ? Math.max(0, this.#deadline - performance.now()) : this.#idleMs;
    this.#timer = setTimeout(() => {
      this.#expired = this.#phase;
      this.#onExpire();
    }, ms);
  }

  /** Stops counting until the next {@link arm}. */
  hold(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The first token arrived: from now on the idle wait applies. */
  firstToken(): void {
    this.#phase = 'idle';
  }
}
