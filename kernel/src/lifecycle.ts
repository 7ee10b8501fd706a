/**
 * What every {@link KernelConnection} keeps the same way, local or remote: its
 * state and who hears of it, who hears of its death, and the start or restart
 * under way that cells asked for meanwhile wait for.
 */
import { KernelDiedError } from './errors.ts';
import type { KernelInfo, KernelState } from './session-types.ts';

type Listener<T> = (value: T) => void;

export class KernelLifecycle {
  #state: KernelState = 'shutdown';
  #starting: Promise<KernelInfo> | null = null;
  readonly #stateListeners = new Set<Listener<KernelState>>();
  readonly #deathListeners = new Set<Listener<KernelDiedError>>();

  get state(): KernelState {
    return this.#state;
  }

  /** True while a kernel is starting or restarting: the kernel's own busy and idle are not the connection's state then. */
  get settling(): boolean {
    return this.#state === 'starting' || this.#state === 'restarting';
  }

  /** The restart under way, for a second restart() asked for meanwhile to join. */
  get restarting(): Promise<KernelInfo> | null {
    return this.#state === 'restarting' ? this.#starting : null;
  }

  onState(fn: Listener<KernelState>): () => void {
    this.#stateListeners.add(fn);
    return () => this.#stateListeners.delete(fn);
  }

  onDeath(fn: Listener<KernelDiedError>): () => void {
    this.#deathListeners.add(fn);
    return () => this.#deathListeners.delete(fn);
  }

  set(state: KernelState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const fn of this.#stateListeners) fn(state);
  }

  /** The running kernel died: the state says so, and every death listener hears why. */
  died(err: KernelDiedError): void {
    this.set('dead');
    for (const fn of this.#deathListeners) fn(err);
  }

  /**
   * Remembers a start or restart in progress, so that cells asked for meanwhile
   * wait for the new kernel instead of failing against the old one.
   */
  track(p: Promise<KernelInfo>): Promise<KernelInfo> {
    const tracked = p.finally(() => {
      if (this.#starting === tracked) this.#starting = null;
    });
    this.#starting = tracked;
    tracked.catch(() => undefined);
    return tracked;
  }

  /** While a kernel starts, `then` runs once it has (a cell waits for it); null when nothing is starting. */
  afterStart<T>(then: () => Promise<T>): Promise<T> | null {
    if (!this.#starting) return null;
    return this.#starting.then(then, () => Promise.reject(new KernelDiedError('the kernel could not be started')));
  }
}
