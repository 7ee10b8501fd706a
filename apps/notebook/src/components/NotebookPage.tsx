/** One open notebook: its connection, toolbar, status, cells, and the prompt with the run settings. */
import { useCallback, useEffect, useLayoutEffect, useState } from 'react';
import { fetchNotebookFile, type Health, type ModelList } from '../api/http.ts';
import { EditBuffer } from '../state/edit-buffer.ts';
import { NotebookStore, type NotebookEnd } from '../state/store.ts';
import { useNotebookSettings } from '../state/use-notebook-settings.ts';
import { useNotebookState } from '../state/use-store.ts';
import { ALL_EXPANDED, foldAll, type OutputFolds } from '../util/output-folds.ts';
import { resumableHalt } from '../util/resume.ts';
import { startRunCommand, type ModelGroup, type RunSettings } from '../util/run-settings.ts';
import type { Theme } from '../util/theme.ts';
import { Banners } from './Banners.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { NotebookView } from './NotebookView.tsx';
import { PromptBox } from './PromptBox.tsx';
import { ResumeBar } from './ResumeBar.tsx';
import { RunSettingsBar } from './RunSettingsBar.tsx';
import { StatusBar } from './StatusBar.tsx';
import { ThemeToggle } from './ThemeToggle.tsx';
import { Toolbar } from './Toolbar.tsx';

interface NotebookPageProps {
  name: string;
  /** This browser's latest run settings: where a notebook with none of its own starts. */
  seed: RunSettings;
  models: ModelList | null;
  groupsA: ModelGroup[];
  groupsB: ModelGroup[];
  health: Health | null;
  /** Remembers run settings in this browser. */
  onSeed(settings: RunSettings): void;
  onRetryHealth(): void;
  /** Called when a run starts or ends here, so the sidebar can say which notebook is generating. */
  onRunActiveChange(name: string, active: boolean): void;
  /** Called once when the page stops following this notebook (deleted, renamed, cannot be opened). */
  onEnded(name: string, ended: NotebookEnd): void;
  /** False when the notebook list is hidden: the header then offers to show it. */
  sidebarOpen: boolean;
  onShowSidebar(): void;
  theme: Theme;
  onToggleTheme(): void;
}

/** How long "Saved" shows after Ctrl/Cmd+S. */
const SAVED_NOTE_MS = 2_000;

async function download(name: string, store: NotebookStore): Promise<void> {
  try {
    const ipynb = await fetchNotebookFile(name);
    const url = URL.createObjectURL(new Blob([JSON.stringify(ipynb, null, 1)], { type: 'application/x-ipynb+json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${name}.ipynb`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (error) {
    store.notify('error', `Could not download ${name}.ipynb: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Ctrl/Cmd+S anywhere on the page saves the notebook, as in Jupyter. Listened for
 * while capturing, so neither an editor nor the browser's "Save page" dialog gets it.
 */
function useSaveShortcut(save: () => void): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 's') {
        event.preventDefault();
        save();
      }
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [save]);
}

function Page({ store, edits, ...props }: NotebookPageProps & { store: NotebookStore; edits: EditBuffer }) {
  const { notebook, connection, notices, ended, runStart } = useNotebookState(store);
  const runActive = notebook?.run.active ?? false;
  const connected = connection === 'open';
  const { onRunActiveChange, onEnded, name } = props;
  useEffect(() => onRunActiveChange(name, runActive), [name, runActive, onRunActiveChange]);
  useEffect(() => {
    if (ended !== null) onEnded(name, ended);
  }, [ended, onEnded, name]);

  const { settings, change: changeSettings, flush: flushSettings } = useNotebookSettings({
    store,
    saved: notebook?.meta.settings,
    seed: props.seed,
    models: props.models,
    health: props.health,
    onSeed: props.onSeed,
  });
  const [folds, setFolds] = useState<OutputFolds>(ALL_EXPANDED);
  const [confirmRestart, setConfirmRestart] = useState(false);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  useEffect(() => {
    if (savedAt === null) return;
    const timer = setTimeout(() => setSavedAt(null), SAVED_NOTE_MS);
    return () => clearTimeout(timer);
  }, [savedAt]);

  const save = useCallback(() => {
    edits.flushAll();
    flushSettings();
    if (store.send({ type: 'save' })) setSavedAt(Date.now());
  }, [edits, flushSettings, store]);
  useSaveShortcut(save);

  const demo = props.models?.demo ?? ['demo-a', 'demo-b'];
  const usingDemo = demo.includes(settings.modelA) && demo.includes(settings.modelB);
  const chooseDemo = (): void => changeSettings({ ...settings, modelA: demo[0] ?? 'demo-a', modelB: demo[1] ?? demo[0] ?? 'demo-b' });
  const stop = (): void => void store.send({ type: 'stop' });
  const restart = (): void => {
    setConfirmRestart(false);
    // The dialog promised the generation stops: say so to the server rather than rely on the restart doing it.
    if (runActive) store.send({ type: 'stop' });
    store.send({ type: 'restart' });
  };
  const halted = notebook ? resumableHalt(notebook.run, notebook.meta) : null;
  const blockedReason = ended !== null
    ? 'This notebook is no longer open here'
    : !connected || notebook === null
    ? 'Not connected to the Duet server'
    : runActive
      ? 'A run is going on; stop it first'
      : null;

  return (
    <main className="notebook-page" aria-label={`Notebook ${name}`}>
      <header className="page-header">
        <div className="title-row">
          {!props.sidebarOpen && (
            <button type="button" className="sidebar-show" aria-expanded={false} aria-controls="notebook-list" onClick={props.onShowSidebar}>
              <span aria-hidden="true">☰</span> Notebooks
            </button>
          )}
          <h1 className="notebook-title">{name}</h1>
          {savedAt !== null && (
            <span className="saved-note" role="status">
              Saved
            </span>
          )}
          <ThemeToggle theme={props.theme} onToggle={props.onToggleTheme} />
        </div>
        <Toolbar
          runActive={runActive}
          connected={connected}
          newConversationBlocked={!connected ? 'Not connected to the Duet server' : runActive ? 'A run is going on; stop it first' : null}
          allCollapsed={folds.allCollapsed}
          onStop={stop}
          onRunAll={() => {
            edits.flushAll();
            store.send({ type: 'run-all' });
          }}
          onInterrupt={() => store.send({ type: 'interrupt' })}
          onRestart={() => (runActive ? setConfirmRestart(true) : restart())}
          onNewConversation={() => {
            edits.flushAll();
            store.send({ type: 'new-conversation' });
          }}
          onToggleAllOutputs={() => setFolds((f) => foldAll(!f.allCollapsed))}
          onDownload={() => {
            edits.flushAll();
            void download(name, store);
          }}
        />
        {notebook && <StatusBar notebook={notebook} sandbox={props.health?.sandbox ?? null} />}
      </header>
      <Banners
        name={name}
        connection={connection}
        ended={ended}
        notebook={notebook}
        health={props.health}
        usingDemo={usingDemo}
        notices={notices}
        onUseDemo={chooseDemo}
        onRetryHealth={props.onRetryHealth}
        onDismiss={(id) => store.dismissNotice(id)}
        onDismissKernel={() => store.dismissKernelNotices()}
      />
      {notebook ? (
        <NotebookView store={store} edits={edits} notebook={notebook} folds={folds} onFolds={setFolds} />
      ) : (
        <div className="cells-scroller" />
      )}
      <PromptBox
        blockedReason={blockedReason}
        runStart={runStart}
        onSend={(prompt) => {
          edits.flushAll();
          flushSettings();
          return store.startRun(startRunCommand(prompt, settings));
        }}
        instructions={{ instructionsA: settings.instructionsA, instructionsB: settings.instructionsB }}
        onInstructions={(next) => changeSettings({ ...settings, ...next })}
        stoppable={runActive && connected && ended === null}
        onStop={stop}
        settings={<RunSettingsBar settings={settings} groupsA={props.groupsA} groupsB={props.groupsB} disabled={runActive} onChange={changeSettings} />}
        resume={
          halted !== null &&
          ended === null && (
            <ResumeBar
              halted={halted}
              turns={settings.maxTurns}
              blocked={connected ? null : 'Not connected to the Duet server'}
              onContinue={() => {
                edits.flushAll();
                store.send({ type: 'continue-run', maxTurns: settings.maxTurns });
              }}
              onRetry={() => {
                edits.flushAll();
                store.send({ type: 'retry-turn' });
              }}
            />
          )
        }
      />
      {confirmRestart && (
        <ConfirmDialog title="Restart the kernel?" confirm="Restart and stop the run" onConfirm={restart} onCancel={() => setConfirmRestart(false)}>
          <p>
            A run is going on. Restarting the kernel stops the generation: both models stop where they are (what they wrote so far is kept), and the
            kernel forgets its variables.
          </p>
        </ConfirmDialog>
      )}
    </main>
  );
}

/**
 * Opens the notebook's socket for as long as it is shown. Before the first paint: a
 * snapshot the page's early socket already holds is drawn in the same frame as the
 * page around it, in one layout, rather than in a second frame after an empty one.
 */
export function NotebookPage(props: NotebookPageProps) {
  const [open, setOpen] = useState<{ store: NotebookStore; edits: EditBuffer } | null>(null);
  useLayoutEffect(() => {
    const store = new NotebookStore(props.name);
    const edits = new EditBuffer(store);
    setOpen({ store, edits });
    return () => {
      edits.flushAll();
      store.dispose();
    };
  }, [props.name]);
  if (open === null || open.store.name !== props.name) return <main className="notebook-page" />;
  return <Page {...props} store={open.store} edits={open.edits} />;
}
