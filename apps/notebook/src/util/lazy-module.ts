/**
 * A module fetched the first time a component needs it, so the first page load
 * carries only what the notebook list and the prompt draw with. Once loaded it is
 * used synchronously: a component that mounts later draws the real thing at once,
 * with no Suspense fallback in between.
 */
import { useEffect, useSyncExternalStore } from 'react';

export interface LazyModule<T> {
  /** The module if it has arrived. */
  get(): T | null;
  /** Starts fetching it (once); resolves when it is there. */
  load(): Promise<T>;
  /** The module, or null until it arrives; asking starts the fetch. */
  use(): T | null;
}

export function lazyModule<T>(importer: () => Promise<T>): LazyModule<T> {
  let loaded: T | null = null;
  let pending: Promise<T> | null = null;
  const listeners = new Set<() => void>();
  const subscribe = (fn: () => void): (() => void) => {
    listeners.add(fn);
    return () => listeners.delete(fn);
  };
  const get = (): T | null => loaded;
  const load = (): Promise<T> => {
    pending ??= importer().then(
      (m) => {
        loaded = m;
        for (const fn of listeners) fn();
        return m;
      },
      (err: unknown) => {
        // A failed fetch (a new build replaced the chunk, a network blip) may be tried again.
        pending = null;
        throw err;
      },
    );
    return pending;
  };
  return {
    get,
    load,
    use() {
      const m = useSyncExternalStore(subscribe, get);
      useEffect(() => {
        if (m === null) load().catch((err: unknown) => console.error('Could not load a part of the page', err));
      }, [m]);
      return m;
    },
  };
}
