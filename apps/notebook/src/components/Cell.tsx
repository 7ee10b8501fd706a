/**
 * One cell: its badges (model, turn, role, test status), its body (editor,
 * rendered markdown, collapsed reasoning) and its outputs. Memoized on the cell
 * object, which the reducer replaces only when this cell changes.
 */
import type { CellRole, CellRuntime, ErrorOutput, NotebookCell } from '@duet/server/protocol';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { feedbackLabel, testStatusHint, testStatusLabel } from '../util/labels.ts';
import type { CellActions } from './cell-actions.ts';
import { CodeEditor, type EditorCallbacks, type EditorHandle } from './CodeEditor.tsx';
import { formatSeconds } from '../util/durations.ts';
import { Elapsed } from './Elapsed.tsx';
import { Markdown } from './Markdown.tsx';
import { whenNearViewport } from './near-viewport.ts';
import { Outputs } from './Outputs.tsx';

/** A recorded turn's cost, shown on the first cell of the turn. */
export interface TurnBadge {
  label: string;
  title: string;
}

interface CellProps {
  cell: NotebookCell;
  runtime: CellRuntime | undefined;
  selected: boolean;
  actions: CellActions;
  /** Set on the first cell of a recorded turn. */
  turnBadge: TurnBadge | undefined;
  outputsCollapsed: boolean;
  /**
   * Drawn first as a light placeholder (the cell's group, its source as plain text)
   * until it comes near the viewport, is focused or asked for its editor.
   */
  deferred?: boolean;
}

// Names for assistive technology. They avoid the words "prompt" and "model" so that
// the prompt box and the model selects stay the only matches for their labels.
const ROLE_LABEL: Record<CellRole, string> = {
  prompt: 'Request',
  prose: 'Text cell',
  reasoning: 'Reasoning',
  code: 'Code cell',
  test: 'Test cell',
  feedback: 'Execution results',
};

function firstError(cell: NotebookCell): ErrorOutput | undefined {
  for (const o of cell.outputs) if (o.output_type === 'error') return o;
  return undefined;
}

/** `Written by model A (qwen2.5-coder-7b-instruct), turn 2`: the badge's hover text names the actual model. */
function writtenBy(duet: NotebookCell['duet']): string {
  return `Written by model ${duet.model ?? ''}${duet.modelId ? ` (${duet.modelId})` : ''}, turn ${duet.turn}${duet.edited ? ', then edited by you' : ''}`;
}

function CellBadges({ cell, runtime, turnBadge }: { cell: NotebookCell; runtime: CellRuntime | undefined; turnBadge: TurnBadge | undefined }) {
  const { duet } = cell;
  const phase = runtime?.phase ?? 'idle';
  const status = duet.test?.status ?? 'not-run';
  return (
    <div className="cell-badges">
      {duet.model !== null && (
        <span className={`badge badge-model model-${duet.model}`} title={writtenBy(duet)} data-testid="model-badge">
          {duet.model} · turn {duet.turn}
        </span>
      )}
      {turnBadge && (
        <span className="badge badge-turn" title={turnBadge.title} data-testid="turn-stats">
          {turnBadge.label}
        </span>
      )}
      {duet.model !== null && duet.edited === true && <span className="badge badge-edited">edited by you</span>}
      {duet.discarded === true && <span className="badge badge-discarded">replaced by Retry</span>}
      {duet.role === 'prompt' && <span className="badge badge-you">You</span>}
      {(duet.role === 'code' || duet.role === 'test') && <span className={`badge badge-role role-${duet.role}`}>{duet.role}</span>}
      {duet.role === 'test' && (
        <span className={`badge badge-test test-${status}`} data-testid="test-status" title={testStatusHint(status)}>
          {testStatusLabel(status)}
        </span>
      )}
      {phase === 'streaming' && <span className="badge badge-phase">writing…</span>}
      {phase === 'queued' && <span className="badge badge-phase">queued</span>}
      {phase === 'running' && (
        <span className="badge badge-phase running" role="status">
          <span className="spinner" aria-hidden="true" /> running{' '}
          {runtime?.startedAt != null && <Elapsed since={runtime.startedAt} />}
        </span>
      )}
      {phase === 'idle' && runtime?.lastDurationMs != null && cell.cellType === 'code' && (
        <span className="badge badge-duration">{formatSeconds(runtime.lastDurationMs)}</span>
      )}
    </div>
  );
}

function CellTools({ id, role, actions }: { id: string; role: NotebookCell['duet']['role']; actions: CellActions }) {
  return (
    <div className="cell-tools">
      {(role === 'code' || role === 'test') && (
        <button
          type="button"
          aria-label={role === 'code' ? 'Make test cell' : 'Make code cell'}
          title={role === 'code' ? 'Make this a test cell: its asserts count as green tests (T)' : 'Make this a code cell: it no longer counts as a test (T)'}
          onClick={() => actions.changeKind(id, 'code-test')}
        >
          {role === 'code' ? '→ test' : '→ code'}
        </button>
      )}
      <button type="button" aria-label="Move cell up" title="Move up" onClick={() => actions.move(id, -1)}>
        ↑
      </button>
      <button type="button" aria-label="Move cell down" title="Move down" onClick={() => actions.move(id, 1)}>
        ↓
      </button>
      <button type="button" aria-label="Add code cell below" title="Add code cell below" onClick={() => actions.add(id, 'below', 'code')}>
        + code
      </button>
      <button type="button" aria-label="Add test cell below" title="Add test cell below" onClick={() => actions.add(id, 'below', 'test')}>
        + test
      </button>
      <button type="button" aria-label="Add markdown cell below" title="Add markdown cell below" onClick={() => actions.add(id, 'below', 'markdown')}>
        + text
      </button>
      <button type="button" aria-label="Delete cell" title="Delete (D D)" className="danger" onClick={() => actions.remove(id)}>
        ✕
      </button>
    </div>
  );
}

/** A notebook cell. */
export const Cell = memo(function Cell({ cell, runtime, selected, actions, turnBadge, outputsCollapsed, deferred = false }: CellProps) {
  const { id, duet } = cell;
  const phase = runtime?.phase ?? 'idle';
  const isCode = cell.cellType === 'code';
  const streaming = phase === 'streaming';
  const [editing, setEditing] = useState(false);
  const editor = useRef<EditorHandle>(null);
  const focusAfterEdit = useRef(false);
  const sourceRef = useRef(cell.source);
  sourceRef.current = cell.source;
  const root = useRef<HTMLDivElement>(null);
  const [full, setFull] = useState(!deferred);
  const fullRef = useRef(full);
  fullRef.current = full;
  const focusWhenFull = useRef(false);
  useEffect(() => {
    if (full || !root.current) return;
    return whenNearViewport(root.current, '1500px 0px', () => setFull(true));
  }, [full]);

  // Markdown cells are rendered until someone asks to edit them (double-click, Enter).
  const handle = useMemo<EditorHandle>(
    () => ({
      focus() {
        if (!fullRef.current) {
          focusWhenFull.current = true;
          setFull(true);
        } else if (isCode) editor.current?.focus();
        else {
          focusAfterEdit.current = true;
          setEditing(true);
        }
      },
      text: () => editor.current?.text() ?? sourceRef.current,
    }),
    [isCode],
  );
  useEffect(() => {
    actions.registerEditor(id, handle);
    return () => actions.registerEditor(id, null);
  }, [actions, id, handle]);
  useEffect(() => {
    if (full && focusWhenFull.current) {
      focusWhenFull.current = false;
      handle.focus();
    }
  }, [full, handle]);
  useEffect(() => {
    if (editing && focusAfterEdit.current) {
      focusAfterEdit.current = false;
      editor.current?.focus();
    }
  }, [editing]);

  const callbacks = useMemo<EditorCallbacks>(
    () => ({
      onChange: (text) => actions.change(id, text),
      onRun: () => {
        if (isCode) actions.run(id);
        else {
          actions.flush(id);
          setEditing(false);
          actions.escape(id);
        }
      },
      onRunAndAdvance: () => {
        if (isCode) actions.run(id);
        else {
          actions.flush(id);
          setEditing(false);
        }
        actions.advance(id);
      },
      onEscape: () => {
        actions.flush(id);
        if (!isCode) setEditing(false);
        actions.escape(id);
      },
      onFocus: () => actions.select(id),
      onBlur: () => actions.flush(id),
    }),
    [actions, id, isCode],
  );

  const toggleOutputs = useCallback(() => actions.toggleOutputs(id), [actions, id]);

  if (!full) {
    return (
      <div
        ref={root}
        id={`cell-${id}`}
        className={`cell cell-${cell.cellType} role-${duet.role} cell-deferred${selected ? ' selected' : ''}`}
        tabIndex={-1}
        data-cell-id={id}
        data-role={duet.role}
        role="group"
        aria-label={ROLE_LABEL[duet.role]}
        onFocus={() => setFull(true)}
      >
        {/* Two elements per placeholder: a long notebook has hundreds of them. */}
        <pre className="editor-placeholder">{cell.source.length > 0 ? cell.source : ' '}</pre>
      </div>
    );
  }

  const testStatus = duet.role === 'test' ? (duet.test?.status ?? 'not-run') : null;
  const failure = testStatus === 'failed' || testStatus === 'error' ? firstError(cell) : undefined;
  const classes = [
    'cell',
    `cell-${cell.cellType}`,
    `role-${duet.role}`,
    duet.model ? `model-${duet.model}` : 'model-none',
    testStatus ? `test-${testStatus}` : '',
    selected ? 'selected' : '',
    streaming ? 'streaming' : '',
    duet.discarded === true ? 'discarded' : '',
  ].join(' ');

  let body;
  if (isCode) {
    body = (
      <CodeEditor
        ref={editor}
        source={cell.source}
        language="python"
        readOnly={streaming}
        label={duet.role === 'test' ? 'Test source' : 'Code source'}
        callbacks={callbacks}
      />
    );
  } else if (editing && !streaming) {
    body = <CodeEditor ref={editor} source={cell.source} language="text" readOnly={false} label="Markdown source" callbacks={callbacks} />;
  } else if (duet.role === 'reasoning' || duet.role === 'feedback') {
    body = (
      <details className="collapsible">
        <summary>{duet.role === 'reasoning' ? `Reasoning${duet.model ? ` of model ${duet.model}` : ''}` : feedbackLabel(duet.model, duet.to)}</summary>
        <pre className="collapsible-text">{cell.source}</pre>
      </details>
    );
  } else if (duet.role === 'prompt') {
    body = (
      <div className="prompt-text" onDoubleClick={() => handle.focus()}>
        {cell.source}
      </div>
    );
  } else {
    body = (
      <div onDoubleClick={() => !streaming && handle.focus()}>
        {cell.source.trim().length === 0 ? (
          <p className="empty-markdown">Empty text cell — double-click to write.</p>
        ) : (
          <Markdown source={cell.source} />
        )}
      </div>
    );
  }

  const count = phase === 'running' ? '*' : phase === 'queued' ? '·' : cell.executionCount ?? ' ';
  return (
    <div ref={root} id={`cell-${id}`} className={classes} tabIndex={-1} data-cell-id={id} data-role={duet.role} role="group" aria-label={ROLE_LABEL[duet.role]}>
      <div className="cell-gutter">
        {isCode && (
          <>
            <button
              type="button"
              className="run-button"
              aria-label="Run cell"
              // A block marked not to run (another language, a fence left open) runs only when asked; Run all skips it.
              title={duet.unrunnable === true ? 'Run anyway: Run all and the models skip this block (see the note below)' : 'Run (Ctrl+Enter; Shift+Enter runs and moves on)'}
              disabled={streaming}
              onClick={() => actions.run(id)}
            >
              ▶
            </button>
            <span className="exec-count">[{count}]</span>
          </>
        )}
      </div>
      <div className="cell-main">
        <div className="cell-header">
          <CellBadges cell={cell} runtime={runtime} turnBadge={turnBadge} />
          <CellTools id={id} role={duet.role} actions={actions} />
        </div>
        {body}
        {duet.note && <div className="cell-note">{duet.note}</div>}
        {failure && (
          <div className="test-failure" role="note">
            <strong>{failure.ename}</strong>
            {failure.evalue ? `: ${failure.evalue}` : ''}
          </div>
        )}
        <Outputs outputs={cell.outputs} collapsed={outputsCollapsed} onToggle={toggleOutputs} />
      </div>
    </div>
  );
});
