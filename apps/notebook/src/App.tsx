/** The page: the notebook list on the left (it folds away), the open notebook on the right. */
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
import { ScoreboardPage } from './components/scoreboard/ScoreboardPage.tsx';
import { scoreboardRoute } from './util/scoreboard.ts';
import { notebookFromHash } from './util/route.ts';
import { ThemeToggle } from './components/ThemeToggle.tsx';
import { useTheme } from './state/use-theme.ts';
import { loadSettings, modelGroups, saveSettings, type RunSettings } from './util/run-settings.ts';

/** How often the list is asked again while the page is shown, so a run started elsewhere shows. */
const LIST_REFRESH_MS = 5_000;
const SIDEBAR_KEY = 'duet.sidebar';
/** Below this width the list starts folded, leaving the notebook the room. */
const NARROW_QUERY = '(max-width: 960px)';

function narrowWindow(): boolean {
  return typeof matchMedia === 'function' && matchMedia(NARROW_QUERY).matches;
}

/** The list open or folded: folded in a narrow window (where it would cover the notebook), else as the person left it. */
function initialSidebarOpen(): boolean {
  if (narrowWindow()) return false;
  try {
    return localStorage.getItem(SIDEBAR_KEY) !== 'closed';
  } catch {
    return true;
  }
}

function saveSidebarOpen(open: boolean): void {
  try {
    localStorage.setItem(SIDEBAR_KEY, open ? 'open' : 'closed');
  } catch {
    // The choice lasts until the page closes.
  }
}

const nameFromHash = (): string | null => notebookFromHash(location.hash);

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
  const [board, setBoard] = useState(() => scoreboardRoute(location.hash));
  // Apart, so that the list refreshing in the background never wipes what an action failed with.
  const [listError, setListError] = useState<string | null>(null);
  const [sidebarError, setSidebarError] = useState<string | null>(null);
  const [seed, setSeed] = useState<RunSettings>(loadSettings);
  const [sidebarOpen, setSidebarOpen] = useState(initialSidebarOpen);
  // The open notebook's own word on whether it is generating: fresher than the list's.
  const [generating, setGenerating] = useState<{ name: string; active: boolean } | null>(null);
  const { theme, toggle: toggleTheme } = useTheme();

  const groupsA = useMemo(() => modelGroups(models, 'A'), [models]);
  const groupsB = useMemo(() => modelGroups(models, 'B'), [models]);

  const refreshList = useCallback(async (): Promise<NotebookEntry[] | null> => {
    try {
      const list = await listNotebooks();
      setNotebooks(list);
      setListError(null);
      return list;
    } catch (error) {
      setListError(`Could not list notebooks: ${message(error)}`);
      return null;
    }
  }, []);

  const refreshModels = useCallback(() => {
    getHealth().then(setHealth, () => setHealth(null));
    getModels().then(setModels, () => setModels({ endpoints: [], demo: ['demo-a', 'demo-b'] }));
  }, []);

  useEffect(() => {
    refreshModels();
    const onHash = (): void => {
      setCurrent(nameFromHash());
      setBoard(scoreboardRoute(location.hash));
    };
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
      if (list === null || nameFromHash() !== null || scoreboardRoute(location.hash) !== null) return;
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

  // A run going in another tab or from the API shows in the list without a reload.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refreshList();
    }, LIST_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refreshList]);

  const changeSeed = useCallback((next: RunSettings) => {
    setSeed(next);
    saveSettings(next);
  }, []);

  const toggleSidebar = useCallback((open: boolean) => {
    setSidebarOpen(open);
    // A narrow window's drawer says nothing about how the list should be on a wide one.
    if (!narrowWindow()) saveSidebarOpen(open);
  }, []);

  const onRunActiveChange = useCallback(
    (name: string, active: boolean) => {
      setGenerating({ name, active });
      void refreshList();
    },
    [refreshList],
  );

  // The list as the server gives it, except that the open notebook's own state is the latest word on it.
  const listed = useMemo(
    () => (notebooks ?? []).map((n) => (generating !== null && n.name === generating.name && n.running !== generating.active ? { ...n, running: generating.active } : n)),
    [notebooks, generating],
  );

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
    <div className={`app ${sidebarOpen ? '' : 'sidebar-closed'}`}>
      <Sidebar
        open={sidebarOpen}
        onHide={() => toggleSidebar(false)}
        notebooks={listed}
        current={current}
        error={sidebarError ?? listError}
        onOpen={(name) => {
          openNotebook(name);
          // Over the notebook in a narrow window, the list gets out of the way of what was chosen.
          if (narrowWindow()) setSidebarOpen(false);
        }}
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
      {board !== null && !sidebarOpen && (
        // The scoreboard has no header of its own to hold the way back to the list.
        <button type="button" className="sidebar-show floating" aria-expanded={false} aria-controls="notebook-list" onClick={() => toggleSidebar(true)}>
          <span aria-hidden="true">☰</span> Notebooks
        </button>
      )}
      {board !== null ? (
        <ScoreboardPage name={board.name} onOpenNotebook={openNotebook} onNotebooksChanged={() => void refreshList()} />
      ) : current !== null ? (
        <NotebookPage
          key={current}
          name={current}
          seed={seed}
          models={models}
          groupsA={groupsA}
          groupsB={groupsB}
          health={health}
          onSeed={changeSeed}
          onRetryHealth={refreshModels}
          onRunActiveChange={onRunActiveChange}
          onEnded={onEnded}
          sidebarOpen={sidebarOpen}
          onShowSidebar={() => toggleSidebar(true)}
          theme={theme}
          onToggleTheme={toggleTheme}
        />
      ) : (
        <main className="notebook-page empty-page">
          <div className="empty-page-tools">
            {!sidebarOpen && (
              <button type="button" className="sidebar-show" aria-expanded={false} aria-controls="notebook-list" onClick={() => toggleSidebar(true)}>
                <span aria-hidden="true">☰</span> Notebooks
              </button>
            )}
            <ThemeToggle theme={theme} onToggle={toggleTheme} />
          </div>
          <p>{notebooks === null ? 'Loading notebooks…' : 'No notebook open. Create one with New notebook.'}</p>
        </main>
      )}
    </div>
  );
}
