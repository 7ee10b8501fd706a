/** One open notebook: its connection, toolbar, status, cells and prompt. */
import { useEffect, useState } from 'react';
import { fetchNotebookFile, type Health } from '../api/http.ts';
import { EditBuffer } from '../state/edit-buffer.ts';
import { NotebookStore, type NotebookEnd } from '../state/store.ts';
import { useNotebookState } from '../state/use-store.ts';
import { startRunCommand, type ModelGroup, type RunSettings } from '../util/run-settings.ts';
import { Banners } from './Banners.tsx';
import { NotebookView } from './NotebookView.tsx';
import { PromptBox } from './PromptBox.tsx';
import { StatusBar } from './StatusBar.tsx';
import { Toolbar } from './Toolbar.tsx';

interface NotebookPageProps {
  name: string;
  settings: RunSettings;
  groupsA: ModelGroup[];
  groupsB: ModelGroup[];
  health: Health | null;
  onSettings(settings: RunSettings): void;
  onUseDemo(): void;
  onRetryHealth(): void;
  /** Called when a run starts or ends, so the sidebar can refresh. */
  onRunActiveChange(active: boolean): void;
  /** Called once when the page stops following this notebook (deleted, renamed, cannot be opened). */
  onEnded(name: string, ended: NotebookEnd): void;
}

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

function Page({ store, edits, ...props }: NotebookPageProps & { store: NotebookStore; edits: EditBuffer }) {
  const { notebook, connection, notices, ended, runStart } = useNotebookState(store);
  const runActive = notebook?.run.active ?? false;
  const connected = connection === 'open';
  const { onRunActiveChange, onEnded } = props;
  useEffect(() => onRunActiveChange(runActive), [runActive, onRunActiveChange]);
  useEffect(() => {
    if (ended !== null) onEnded(props.name, ended);
  }, [ended, onEnded, props.name]);

  const usingDemo = props.groupsA.some((g) => g.label === 'Built-in demo' && g.models.includes(props.settings.modelA)) &&
    props.groupsB.some((g) => g.label === 'Built-in demo' && g.models.includes(props.settings.modelB));
  const blockedReason = ended !== null
    ? 'This notebook is no longer open here'
    : !connected || notebook === null
    ? 'Not connected to the Duet server'
    : runActive
      ? 'A run is going on; stop it first'
      : null;

  return (
    <main className="notebook-page" aria-label={`Notebook ${props.name}`}>
      <header className="page-header">
        <h1 className="notebook-title">{props.name}</h1>
        <Toolbar
          runActive={runActive}
          connected={connected}
          settings={props.settings}
          groupsA={props.groupsA}
          groupsB={props.groupsB}
          onSettings={props.onSettings}
          onStop={() => store.send({ type: 'stop' })}
          onRunAll={() => {
            edits.flushAll();
            store.send({ type: 'run-all' });
          }}
          onInterrupt={() => store.send({ type: 'interrupt' })}
          onRestart={() => store.send({ type: 'restart' })}
          onDownload={() => {
            edits.flushAll();
            void download(props.name, store);
          }}
        />
        {notebook && <StatusBar notebook={notebook} sandbox={props.health?.sandbox ?? null} />}
      </header>
      <Banners
        name={props.name}
        connection={connection}
        ended={ended}
        notebook={notebook}
        health={props.health}
        usingDemo={usingDemo}
        notices={notices}
        onUseDemo={props.onUseDemo}
        onRetryHealth={props.onRetryHealth}
        onDismiss={(id) => store.dismissNotice(id)}
      />
      {notebook ? <NotebookView store={store} edits={edits} notebook={notebook} /> : <div className="cells-scroller" />}
      <PromptBox
        blockedReason={blockedReason}
        runStart={runStart}
        onSend={(prompt) => {
          edits.flushAll();
          return store.startRun(startRunCommand(prompt, props.settings));
        }}
        instructions={{ instructionsA: props.settings.instructionsA, instructionsB: props.settings.instructionsB }}
        onInstructions={(next) => props.onSettings({ ...props.settings, ...next })}
      />
    </main>
  );
}

/** Opens the notebook's socket for as long as it is shown. */
export function NotebookPage(props: NotebookPageProps) {
  const [open, setOpen] = useState<{ store: NotebookStore; edits: EditBuffer } | null>(null);
  useEffect(() => {
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
