/**
 * The cells of one notebook, with Jupyter's command mode: Esc leaves a cell's
 * editor, Enter goes back in, A/B insert above/below, D D deletes, arrows or J/K
 * move the selection, Shift+Enter runs and moves on, Ctrl+Enter runs in place.
 */
import type { NotebookSnapshot } from '@duet/server/protocol';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { EditBuffer } from '../state/edit-buffer.ts';
import type { NotebookStore } from '../state/store.ts';
import { Cell } from './Cell.tsx';
import type { CellActions, NewCellKind } from './cell-actions.ts';
import type { EditorHandle } from './CodeEditor.tsx';

interface NotebookViewProps {
  store: NotebookStore;
  edits: EditBuffer;
  notebook: NotebookSnapshot;
}

const NEW_CELL: Record<NewCellKind, { cellType: 'code' | 'markdown'; role: 'code' | 'test' | 'prose' }> = {
  code: { cellType: 'code', role: 'code' },
  test: { cellType: 'code', role: 'test' },
  markdown: { cellType: 'markdown', role: 'prose' },
};

/** Where a cell added by hand will appear, so it can be selected when it does. */
interface AwaitedCell {
  index: number;
  knownIds: Set<string>;
  edit: boolean;
}

function isEditableTarget(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('.cm-editor, input, textarea, select, button, summary, a') !== null;
}

function focusCell(id: string): void {
  const el = document.getElementById(`cell-${id}`);
  if (!el) return;
  el.focus({ preventScroll: true });
  el.scrollIntoView({ block: 'nearest' });
}

/**
 * The scrollable list of cells. Memoized: typing in the prompt box's instructions
 * or changing a model re-renders the page around it, and the cells need not follow.
 */
export const NotebookView = memo(function NotebookView({ store, edits, notebook }: NotebookViewProps) {
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const cellsRef = useRef(notebook.cells);
  cellsRef.current = notebook.cells;
  const editors = useRef(new Map<string, EditorHandle>());
  const awaited = useRef<AwaitedCell | null>(null);
  const lastD = useRef(0);
  const scroller = useRef<HTMLDivElement>(null);
  // Open at the top, like Jupyter, unless a run is writing: then follow it.
  const atBottom = useRef(notebook.run.active);
  const wasActive = useRef(notebook.run.active);

  const indexOf = (id: string): number => cellsRef.current.findIndex((c) => c.id === id);

  const actions = useMemo<CellActions>(() => {
    const addAt = (index: number, kind: NewCellKind, edit: boolean): void => {
      awaited.current = { index, knownIds: new Set(cellsRef.current.map((c) => c.id)), edit };
      store.send({ type: 'add-cell', index, ...NEW_CELL[kind] });
    };
    return {
      select: (id) => setSelectedId(id),
      escape: (id) => {
        setSelectedId(id);
        focusCell(id);
      },
      change: (id, text) => edits.change(id, text),
      flush: (id) => edits.flush(id),
      run: (id) => {
        edits.flush(id);
        store.send({ type: 'run-cell', id });
      },
      advance: (id) => {
        const next = cellsRef.current[indexOf(id) + 1];
        if (next) {
          setSelectedId(next.id);
          focusCell(next.id);
        } else {
          focusCell(id);
        }
      },
      add: (id, where, kind) => {
        const i = indexOf(id);
        addAt(i < 0 ? cellsRef.current.length : where === 'above' ? i : i + 1, kind, true);
      },
      remove: (id) => {
        const i = indexOf(id);
        const neighbour = cellsRef.current[i + 1] ?? cellsRef.current[i - 1];
        store.send({ type: 'delete-cell', id });
        if (neighbour) {
          setSelectedId(neighbour.id);
          focusCell(neighbour.id);
        }
      },
      move: (id, delta) => {
        const i = indexOf(id);
        const to = i + delta;
        if (i < 0 || to < 0 || to >= cellsRef.current.length) return;
        edits.flush(id);
        store.send({ type: 'move-cell', id, index: to });
      },
      registerEditor: (id, handle) => {
        if (handle) editors.current.set(id, handle);
        else editors.current.delete(id);
      },
    };
    // indexOf reads refs only.
  }, [store, edits]);

  const addAtEnd = useCallback(
    (kind: NewCellKind) => {
      awaited.current = { index: cellsRef.current.length, knownIds: new Set(cellsRef.current.map((c) => c.id)), edit: true };
      store.send({ type: 'add-cell', index: cellsRef.current.length, ...NEW_CELL[kind] });
    },
    [store],
  );

  // Select a cell added by hand once the server has added it.
  useEffect(() => {
    const wait = awaited.current;
    if (!wait) return;
    const fresh = notebook.cells.find((c) => !wait.knownIds.has(c.id));
    if (!fresh) return;
    awaited.current = null;
    setSelectedId(fresh.id);
    if (wait.edit) editors.current.get(fresh.id)?.focus();
    else focusCell(fresh.id);
  }, [notebook.cells]);

  // Follow a growing notebook while the reader is at its end; leave them be if they scrolled up.
  useLayoutEffect(() => {
    if (notebook.run.active && !wasActive.current) atBottom.current = true;
    wasActive.current = notebook.run.active;
    const el = scroller.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [notebook]);

  // Content also grows without a document change: editors mounting, images loading.
  useEffect(() => {
    const el = scroller.current;
    const content = el?.firstElementChild;
    if (!el || !content || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(content);
    return () => observer.disconnect();
  }, []);

  const onScroll = (): void => {
    const el = scroller.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (isEditableTarget(event.target) || event.altKey || event.metaKey) return;
    const cells = cellsRef.current;
    const i = selectedId === null ? -1 : indexOf(selectedId);
    const current = cells[i];
    const selectAt = (index: number): void => {
      const target = cells[Math.max(0, Math.min(index, cells.length - 1))];
      if (!target) return;
      setSelectedId(target.id);
      focusCell(target.id);
    };
    if (event.ctrlKey) {
      if (event.key === 'Enter' && current?.cellType === 'code') {
        event.preventDefault();
        actions.run(current.id);
      }
      return;
    }
    const key = event.key;
    if (key !== 'd' && key !== 'D') lastD.current = 0;
    switch (key) {
      case 'ArrowDown':
      case 'j':
        event.preventDefault();
        selectAt(i + 1);
        return;
      case 'ArrowUp':
      case 'k':
        event.preventDefault();
        selectAt(i < 0 ? cells.length - 1 : i - 1);
        return;
      case 'Enter':
        if (!current) return;
        event.preventDefault();
        if (event.shiftKey) {
          if (current.cellType === 'code') actions.run(current.id);
          actions.advance(current.id);
        } else {
          editors.current.get(current.id)?.focus();
        }
        return;
      case 'a':
      case 'b':
        if (!current) return;
        event.preventDefault();
        awaited.current = {
          index: key === 'a' ? i : i + 1,
          knownIds: new Set(cells.map((c) => c.id)),
          edit: false,
        };
        store.send({ type: 'add-cell', index: awaited.current.index, ...NEW_CELL.code });
        return;
      case 'd':
      case 'D': {
        if (!current) return;
        const now = event.timeStamp;
        if (lastD.current !== 0 && now - lastD.current < 800) {
          lastD.current = 0;
          actions.remove(current.id);
        } else {
          lastD.current = now;
        }
        return;
      }
      default:
        return;
    }
  };

  return (
    <div className="cells-scroller" ref={scroller} onScroll={onScroll}>
      <div
        className="cells"
        role="list"
        aria-label="Notebook cells"
        onKeyDown={onKeyDown}
        onMouseDown={(event) => {
          const cellEl = (event.target as Element).closest<HTMLElement>('[data-cell-id]');
          const id = cellEl?.dataset.cellId;
          if (!id) return;
          setSelectedId(id);
          if (!isEditableTarget(event.target)) {
            // Command mode: focus the cell itself so its keys reach this handler.
            requestAnimationFrame(() => cellEl.focus({ preventScroll: true }));
          }
        }}
      >
        {notebook.cells.length === 0 && (
          <div className="empty-notebook">
            <p>This notebook is empty. Type a request below and press Enter: model A and model B will answer in turn, writing code and tests that run as they arrive.</p>
          </div>
        )}
        {notebook.cells.map((cell) => (
          <div role="listitem" key={cell.id}>
            <Cell cell={cell} runtime={notebook.runtime[cell.id]} selected={cell.id === selectedId} actions={actions} />
          </div>
        ))}
        <div className="add-cells">
          <button type="button" onClick={() => addAtEnd('code')}>
            Add code cell
          </button>
          <button type="button" onClick={() => addAtEnd('test')}>
            Add test cell
          </button>
          <button type="button" onClick={() => addAtEnd('markdown')}>
            Add markdown cell
          </button>
        </div>
      </div>
    </div>
  );
});
