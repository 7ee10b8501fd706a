/** React's view of a {@link NotebookStore}. */
import { useSyncExternalStore } from 'react';
import type { NotebookStore, NotebookViewState } from './store.ts';

/** Re-renders the caller whenever the store's state object changes. */
export function useNotebookState(store: NotebookStore): NotebookViewState {
  return useSyncExternalStore(store.subscribe, store.getState);
}
