/** The page: the notebook list on the left, the open notebook on the right. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  createNotebook,
  deleteNotebook,
  getHealth,
  getModels,
  listNotebooks,
  putNotebookFile,
  renameNotebook,
  type Health,
  type ModelList,
  type NotebookEntry,
} from './api/http.ts';
import { renamedTarget } from './api/close-codes.ts';
import { NotebookPage } from './components/NotebookPage.tsx';
import type { NotebookEnd } from './state/store.ts';
import { assertNever } from './util/assert-never.ts';
import { Sidebar } from './components/Sidebar.tsx';
import { loadSettings, modelGroups, resolveSettings, saveSettings, type RunSettings } from './util/run-settings.ts';

function nameFromHash(): string | null {
  const raw = location.hash.replace(/^#/, '');
  if (!raw) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** Shows a notebook; `replace` when the address it replaces is no longer worth going back to (a renamed notebook). */
function openNotebook(name: string | null, { replace = false } = {}): void {
  const hash = name === null ? '' : `#${encodeURIComponent(name)}`;
  if (location.hash !== hash) history[replace ? 'replaceState' : 'pushState'](null, '', `${location.pathname}${hash}`);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** A notebook name from an uploaded file's name: the server accepts plain file names only. */
function importName(fileName: string, taken: Set<string>): string {
  const base = fileName.replace(/\.ipynb$/i, '').replace(/[^\w. -]+/g, '-').replace(/^[.\s-]+/, '').trim() || 'imported';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Notebooks that can be opened: a file the server cannot read is listed, but never opened unasked. */
const openable = (list: NotebookEntry[]): NotebookEntry[] => list.filter((n) => n.error === undefined);

/** The whole app. */
export function App() {
  const [health, setHealth] = useState<Health | null>(null);
  const [models, setModels] = useState<ModelList | null>(null);
  const [notebooks, setNotebooks] = useState<NotebookEntry[] | null>(null);
  const [current, setCurrent] = useState<string | null>(nameFromHash);
  const [sidebarError, setSidebarError] = useState<string | null>(null);
  const [savedSettings, setSavedSettings] = useState<RunSettings>(loadSettings);

  const settings = useMemo(() => resolveSettings(savedSettings, models, health), [savedSettings, models, health]);
  const groupsA = useMemo(() => modelGroups(models, 'A'), [models]);
  const groupsB = useMemo(() => modelGroups(models, 'B'), [models]);

  const refreshList = useCallback(async (): Promise<NotebookEntry[] | null> => {
    try {
      const list = await listNotebooks();
      setNotebooks(list);
      setSidebarError(null);
      return list;
    } catch (error) {
      setSidebarError(`Could not list notebooks: ${message(error)}`);
      return null;
    }
  }, []);

  const refreshModels = useCallback(() => {
    getHealth().then(setHealth, () => setHealth(null));
    getModels().then(setModels, () => setModels({ endpoints: [], demo: ['demo-a', 'demo-b'] }));
  }, []);

  useEffect(() => {
    refreshModels();
    const onHash = (): void => setCurrent(nameFromHash());
    window.addEventListener('hashchange', onHash);
    window.addEventListener('popstate', onHash);
    const onFocus = (): void => void refreshList();
    window.addEventListener('focus', onFocus);
    return () => {
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('popstate', onHash);
      window.removeEventListener('focus', onFocus);
    };
  }, [refreshModels, refreshList]);

  // Open something on first load: the notebook in the address, the latest one, or a new one.
  useEffect(() => {
    void (async () => {
      const list = await refreshList();
      if (list === null || nameFromHash() !== null) return;
      const latest = openable(list).sort((a, b) => b.modified.localeCompare(a.modified))[0];
      if (latest) return openNotebook(latest.name);
      try {
        const created = await createNotebook();
        await refreshList();
        openNotebook(created.name);
      } catch (error) {
        setSidebarError(`Could not create a notebook: ${message(error)}`);
      }
    })();
  }, [refreshList]);

  const changeSettings = useCallback((next: RunSettings) => {
    setSavedSettings(next);
    saveSettings(next);
  }, []);

  const chooseDemo = useCallback(() => {
    const demo = models?.demo ?? ['demo-a', 'demo-b'];
    changeSettings({ ...settings, modelA: demo[0] ?? 'demo-a', modelB: demo[1] ?? demo[0] ?? 'demo-b' });
  }, [models, settings, changeSettings]);

  const onRunActiveChange = useCallback(() => void refreshList(), [refreshList]);

  /**
   * Lists the notebooks until the list shows a change the server announced:
   * browsers are told before the file is renamed or removed. Gives up after a
   * few seconds and returns the last list.
   */
  const refreshUntil = useCallback(
    async (settled: (names: string[]) => boolean): Promise<NotebookEntry[] | null> => {
      for (let wait = 100; ; wait *= 2) {
        const list = await refreshList();
        if (list === null || settled(list.map((n) => n.name)) || wait > 3_200) return list;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    },
    [refreshList],
  );

  // The page says what happened; the list catches up, and a rename is followed.
  const onEnded = useCallback(
    (name: string, ended: NotebookEnd): void => {
      switch (ended.kind) {
        case 'deleted':
          void refreshUntil((names) => !names.includes(name));
          return;
        case 'renamed':
          void refreshUntil((names) => names.includes(renamedTarget(ended.to, names))).then((list) => {
            if (nameFromHash() !== name) return;
            openNotebook(renamedTarget(ended.to, (list ?? []).map((n) => n.name)), { replace: true });
          });
          return;
        case 'unavailable':
          void refreshList();
          return;
        default:
          return assertNever(ended, 'notebook end');
      }
    },
    [refreshList, refreshUntil],
  );

  const act = async (what: string, action: () => Promise<void>): Promise<void> => {
    try {
      await action();
      setSidebarError(null);
    } catch (error) {
      setSidebarError(`${what}: ${message(error)}`);
    }
  };

  return (
    <div className="app">
      <Sidebar
        notebooks={notebooks ?? []}
        current={current}
        error={sidebarError}
        onOpen={openNotebook}
        onNew={() =>
          void act('Could not create a notebook', async () => {
            const { name } = await createNotebook();
            await refreshList();
            openNotebook(name);
          })
        }
        onRename={(name, newName) =>
          void act(`Could not rename ${name}`, async () => {
            await renameNotebook(name, newName);
            await refreshList();
            if (current === name) openNotebook(newName);
          })
        }
        onDelete={(name) =>
          void act(`Could not delete ${name}`, async () => {
            await deleteNotebook(name);
            const list = await refreshList();
            if (current === name) openNotebook(openable(list ?? [])[0]?.name ?? null);
          })
        }
        onImport={(file) =>
          void act(`Could not import ${file.name}`, async () => {
            let ipynb: unknown;
            try {
              ipynb = JSON.parse(await file.text());
            } catch {
              throw new Error('the file is not JSON, so it is not a notebook. Nothing was imported.');
            }
            const name = importName(file.name, new Set((notebooks ?? []).map((n) => n.name)));
            await putNotebookFile(name, ipynb);
            await refreshList();
            openNotebook(name);
          })
        }
      />
      {current !== null ? (
        <NotebookPage
          key={current}
          name={current}
          settings={settings}
          groupsA={groupsA}
          groupsB={groupsB}
          health={health}
          onSettings={changeSettings}
          onUseDemo={chooseDemo}
          onRetryHealth={refreshModels}
          onRunActiveChange={onRunActiveChange}
          onEnded={onEnded}
        />
      ) : (
        <main className="notebook-page empty-page">
          <p>{notebooks === null ? 'Loading notebooks…' : 'No notebook open. Create one with New notebook.'}</p>
        </main>
      )}
    </div>
  );
}
