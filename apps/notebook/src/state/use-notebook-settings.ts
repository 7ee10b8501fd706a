/**
 * The run settings of one notebook: what the notebook saved (`metadata.duet.settings`)
 * over what this browser chose last, checked against the models the server
 * offers. A change shows at once, is remembered by the browser as the start for
 * new notebooks, and is sent to the notebook with `set-settings` once the person
 * pauses (typing instructions sends one command, not one per key).
 */
import type { Health, ModelList, NotebookSettings } from '@duet/server/protocol';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { resolveSettings, sameSettings, toNotebookSettings, withNotebookSettings, type RunSettings } from '../util/run-settings.ts';
import type { NotebookStore } from './store.ts';

const SEND_AFTER_MS = 400;

interface NotebookSettingsSource {
  store: NotebookStore;
  /** The notebook's saved settings; undefined until its snapshot arrives. */
  saved: NotebookSettings | undefined;
  /** This browser's latest choice. */
  seed: RunSettings;
  models: ModelList | null;
  health: Health | null;
  /** Remembers a choice in this browser. */
  onSeed(settings: RunSettings): void;
}

/** The settings to show and use, a way to change them, and a way to send a pending change now. */
export function useNotebookSettings({ store, saved, seed, models, health, onSeed }: NotebookSettingsSource): {
  settings: RunSettings;
  change(next: RunSettings): void;
  flush(): void;
} {
  const fromNotebook = useMemo(() => resolveSettings(withNotebookSettings(seed, saved), models, health), [seed, saved, models, health]);
  // A change not yet echoed by the notebook; shown meanwhile so nothing flickers back.
  const [draft, setDraft] = useState<RunSettings | null>(null);
  if (draft !== null && sameSettings(draft, fromNotebook)) setDraft(null);

  const pending = useRef<RunSettings | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const flush = useCallback(() => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
    const next = pending.current;
    pending.current = null;
    if (next !== null) store.send({ type: 'set-settings', settings: toNotebookSettings(next) });
  }, [store]);
  const change = useCallback(
    (next: RunSettings) => {
      setDraft(next);
      onSeed(next);
      pending.current = next;
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = setTimeout(flush, SEND_AFTER_MS);
    },
    [flush, onSeed],
  );
  // A change made just before the notebook closes is still saved.
  useEffect(() => flush, [flush]);
  return { settings: draft ?? fromNotebook, change, flush };
}
