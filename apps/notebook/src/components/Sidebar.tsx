/**
 * The notebooks on the server: open, create, rename, delete, import. A file that
 * is not a readable notebook is listed greyed, with the server's reason; the one
 * a model is generating in is marked. The list folds away to give a narrow
 * window to the notebook.
 */
import { useId, useState, type ChangeEvent } from 'react';
import type { NotebookEntry } from '../api/http.ts';

interface SidebarProps {
  /** False when folded away: nothing of the list is shown. */
  open: boolean;
  onHide(): void;
  notebooks: NotebookEntry[];
  current: string | null;
  error: string | null;
  onOpen(name: string): void;
  onNew(): void;
  onRename(name: string, newName: string): void;
  onDelete(name: string): void;
  onImport(file: File): void;
}

function Entry({ entry, current, props }: { entry: NotebookEntry; current: boolean; props: SidebarProps }) {
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const [draft, setDraft] = useState(entry.name);
  const errorId = useId();
  if (mode === 'rename') {
    return (
      <li className="nb-entry renaming">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const name = draft.trim();
            if (name && name !== entry.name) props.onRename(entry.name, name);
            setMode('view');
          }}
        >
          <input
            autoFocus
            aria-label={`New name for ${entry.name}`}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && setMode('view')}
          />
          <button type="submit">Save</button>
          <button type="button" onClick={() => setMode('view')}>
            Cancel
          </button>
        </form>
      </li>
    );
  }
  return (
    <li className={`nb-entry ${current ? 'current' : ''} ${entry.error !== undefined ? 'broken' : ''}`}>
      <button
        type="button"
        className="nb-open"
        aria-current={current ? 'page' : undefined}
        aria-describedby={entry.error !== undefined ? errorId : undefined}
        onClick={() => props.onOpen(entry.name)}
        title={entry.error !== undefined ? `Cannot be opened: ${entry.error}` : `Modified ${new Date(entry.modified).toLocaleString()}`}
      >
        {entry.running && <span className="running-dot" role="img" aria-label="generating" title="A model is generating in this notebook" data-testid="generating" />}
        {entry.name}
        {entry.error !== undefined && <span className="nb-broken-note">Cannot be opened</span>}
      </button>
      {entry.error !== undefined && (
        <span id={errorId} hidden>
          Cannot be opened: {entry.error}
        </span>
      )}
      {mode === 'delete' ? (
        <span className="nb-confirm">
          <button type="button" className="danger" onClick={() => props.onDelete(entry.name)}>
            Delete {entry.name}?
          </button>
          <button type="button" onClick={() => setMode('view')}>
            Keep
          </button>
        </span>
      ) : (
        <span className="nb-actions">
          <button
            type="button"
            aria-label={`Rename ${entry.name}`}
            title="Rename"
            onClick={() => {
              setDraft(entry.name);
              setMode('rename');
            }}
          >
            ✎
          </button>
          <button type="button" aria-label={`Delete ${entry.name}`} title="Delete" onClick={() => setMode('delete')}>
            ✕
          </button>
        </span>
      )}
    </li>
  );
}

/** The list of notebooks on the left. */
export function Sidebar(props: SidebarProps) {
  const onFile = (e: ChangeEvent<HTMLInputElement>): void => {
    const file = e.target.files?.[0];
    if (file) props.onImport(file);
    e.target.value = '';
  };
  return (
    <nav id="notebook-list" className="sidebar" aria-label="Notebooks" hidden={!props.open}>
      <div className="sidebar-head">
        <div className="brand">
          <span className="brand-a">Du</span>
          <span className="brand-b">et</span>
        </div>
        <button type="button" className="sidebar-hide" aria-expanded={true} aria-controls="notebook-list" aria-label="Hide notebooks" title="Hide the notebook list" onClick={props.onHide}>
          <span aria-hidden="true">«</span>
        </button>
      </div>
      <div className="sidebar-actions">
        <button type="button" className="primary" onClick={props.onNew}>
          New notebook
        </button>
        <label className="button file-button">
          Import .ipynb
          <input type="file" accept=".ipynb,application/json" onChange={onFile} />
        </label>
        <a className="button" href="#/scoreboard">
          Scoreboard
        </a>
      </div>
      {props.error && (
        <p className="sidebar-error" role="alert">
          {props.error}
        </p>
      )}
      <ul className="nb-list">
        {props.notebooks.map((entry) => (
          <Entry key={entry.name} entry={entry} current={entry.name === props.current} props={props} />
        ))}
      </ul>
    </nav>
  );
}
