/**
 * The cells of one notebook, with Jupyter's command mode: Esc leaves a cell's
 * editor, Enter goes back in, A/B insert above/below, D D deletes, Z brings the
 * last deleted cell back, C/X/V copy, cut and paste (Shift+V above), M/Y make a
 * cell markdown or code, T turns code into a test and back, O folds the
 * outputs, arrows or J/K move the selection, Shift+Enter runs and moves on,
 * Ctrl+Enter runs in place. Turns replaced by Retry are folded, and a line
 * marks where the current conversation starts.
 */
import type { NotebookCell, NotebookSnapshot } from '@duet/server/protocol';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { copiedCell, copyCell, DeletedCells, type CellCopy } from '../state/cell-clipboard.ts';
import type { EditBuffer } from '../state/edit-buffer.ts';
import type { NotebookStore } from '../state/store.ts';
import { assertNever } from '../util/assert-never.ts';
import { groupCells, visibleCellIds, type CellItem } from '../util/cell-groups.ts';
import { isCollapsed, toggleCell, type OutputFolds } from '../util/output-folds.ts';
import { turnLabelsByCell } from '../util/turn-stats.ts';
import { Cell } from './Cell.tsx';
import type { CellActions, KindChange, NewCellKind } from './cell-actions.ts';
import type { EditorHandle } from './CodeEditor.tsx';
import { ConversationStart } from './ConversationStart.tsx';
import { DiscardedTurn } from './DiscardedTurn.tsx';

interface NotebookViewProps {
  store: NotebookStore;
  edits: EditBuffer;
  notebook: NotebookSnapshot;
  folds: OutputFolds;
  onFolds(update: (folds: OutputFolds) => OutputFolds): void;
}

/** The kind a change gives a cell, or null when it does not apply to it. */
function changedKind(cell: NotebookCell, change: KindChange): { cellType: 'markdown' | 'code'; role: 'prose' | 'code' | 'test' } | null {
  const { role } = cell.duet;
  // Requests, reasoning and results are Duet's own records, not cells to retype.
  if (role !== 'prose' && role !== 'code' && role !== 'test') return null;
  switch (change) {
    case 'to-markdown':
      return role === 'prose' ? null : { cellType: 'markdown', role: 'prose' };
    case 'to-code':
      return role === 'prose' ? { cellType: 'code', role: 'code' } : null;
    case 'code-test':
      return role === 'code' ? { cellType: 'code', role: 'test' } : role === 'test' ? { cellType: 'code', role: 'code' } : null;
    default:
      return assertNever(change, 'kind change');
  }
}

/** Jupyter's command-mode keys for a change of kind. */
const KIND_KEYS: Readonly<Record<string, KindChange>> = { m: 'to-markdown', M: 'to-markdown', y: 'to-code', Y: 'to-code', t: 'code-test', T: 'code-test' };

const NEW_CELL: Record<NewCellKind, { cellType: 'code' | 'markdown'; role: 'code' | 'test' | 'prose' }> = {
  code: { cellType: 'code', role: 'code' },
  test: { cellType: 'code', role: 'test' },
  markdown: { cellType: 'markdown', role: 'prose' },
};

/** A notebook longer than this opens with light placeholders for the cells away from the end it opens at. */
const LIGHT_AFTER = 40;
/** The least height a cell is drawn with, px: a window of height H shows at most H / this many cells. */
const MIN_CELL_PX = 60;

/**
 * How many cells, at the end a long notebook opens at, are drawn in full from the
 * start: as many as the window can show, and two more. The next ones fill in as
 * soon as the first frame is drawn (they are within the placeholders' margin).
 */
function eagerCells(): number {
  return Math.ceil(window.innerHeight / MIN_CELL_PX) + 2;
}

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
export const NotebookView = memo(function NotebookView({ store, edits, notebook, folds, onFolds }: NotebookViewProps) {
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [unfolded, setUnfolded] = useState<ReadonlySet<string>>(() => new Set());
  const items = useMemo(() => groupCells(notebook.cells), [notebook.cells]);
  const turnBadges = useMemo(() => turnLabelsByCell(notebook.cells, notebook.meta.runs), [notebook.cells, notebook.meta.runs]);
  // Command-mode keys move through the cells that are shown; a folded turn's cells are skipped.
  const visibleIds = useMemo(() => new Set(visibleCellIds(items, unfolded)), [items, unfolded]);
  const cellsRef = useRef(notebook.cells);
  cellsRef.current = notebook.cells.filter((c) => visibleIds.has(c.id));
  const allCellsRef = useRef(notebook.cells);
  allCellsRef.current = notebook.cells;
  const deleted = useRef(new DeletedCells());
  const editors = useRef(new Map<string, EditorHandle>());
  const awaited = useRef<AwaitedCell | null>(null);
  const lastD = useRef(0);
  const scroller = useRef<HTMLDivElement>(null);
  // Open at the top, like Jupyter, unless a run is writing: then follow it.
  const atBottom = useRef(notebook.run.active);
  const wasActive = useRef(notebook.run.active);
  // A long notebook opens with full cells only at the end it opens at; the others start light and
  // fill in as they near the viewport. Cells that arrive later are drawn in full.
  const [deferredAtOpen] = useState<ReadonlySet<string>>(() => {
    const cells = notebook.cells;
    if (cells.length <= LIGHT_AFTER) return new Set();
    const eager = eagerCells();
    const ids = notebook.run.active ? cells.slice(0, Math.max(0, cells.length - eager)) : cells.slice(eager);
    return new Set(ids.map((c) => c.id));
  });

  const indexOf = (id: string): number => cellsRef.current.findIndex((c) => c.id === id);
  /** A cell's place in the whole notebook, which the server's indexes count in. */
  const documentIndexOf = (id: string): number => allCellsRef.current.findIndex((c) => c.id === id);

  const actions = useMemo<CellActions>(() => {
    const addAt = (index: number, kind: NewCellKind, edit: boolean): void => {
      awaited.current = { index, knownIds: new Set(allCellsRef.current.map((c) => c.id)), edit };
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
        const i = documentIndexOf(id);
        addAt(i < 0 ? allCellsRef.current.length : where === 'above' ? i : i + 1, kind, true);
      },
      remove: (id) => {
        const i = indexOf(id);
        const neighbour = cellsRef.current[i + 1] ?? cellsRef.current[i - 1];
        const at = documentIndexOf(id);
        const cell = allCellsRef.current[at];
        if (cell === undefined) return;
        edits.flush(id);
        if (!store.send({ type: 'delete-cell', id })) return;
        // Its text as the person last saw it, so Z brings back what was deleted.
        deleted.current.push(at, { ...cell, source: editors.current.get(id)?.text() ?? cell.source });
        if (neighbour) {
          setSelectedId(neighbour.id);
          focusCell(neighbour.id);
        }
      },
      move: (id, delta) => {
        const i = documentIndexOf(id);
        const to = i + delta;
        if (i < 0 || to < 0 || to >= allCellsRef.current.length) return;
        edits.flush(id);
        store.send({ type: 'move-cell', id, index: to });
      },
      changeKind: (id, change) => {
        const cell = allCellsRef.current[documentIndexOf(id)];
        const kind = cell ? changedKind(cell, change) : null;
        if (kind === null) return;
        edits.flush(id);
        store.send({ type: 'set-cell-kind', id, ...kind });
      },
      toggleOutputs: (id) => onFolds((f) => toggleCell(f, id)),
      registerEditor: (id, handle) => {
        if (handle) editors.current.set(id, handle);
        else editors.current.delete(id);
      },
    };
    // indexOf reads refs only.
  }, [store, edits, onFolds]);

  const addAtEnd = useCallback(
    (kind: NewCellKind) => {
      awaited.current = { index: allCellsRef.current.length, knownIds: new Set(allCellsRef.current.map((c) => c.id)), edit: true };
      store.send({ type: 'add-cell', index: allCellsRef.current.length, ...NEW_CELL[kind] });
    },
    [store],
  );

  /** Puts a copied or deleted cell back at `index`, and selects it once it is there. */
  const insertCell = (index: number, cell: CellCopy): void => {
    awaited.current = { index, knownIds: new Set(allCellsRef.current.map((c) => c.id)), edit: false };
    store.send({ type: 'restore-cell', index, cell });
  };

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
    const at = current ? documentIndexOf(current.id) : allCellsRef.current.length;
    switch (key) {
      case 'c':
      case 'C':
        if (!current) return;
        event.preventDefault();
        copyCell({ ...current, source: editors.current.get(current.id)?.text() ?? current.source });
        return;
      case 'x':
      case 'X':
        if (!current) return;
        event.preventDefault();
        copyCell({ ...current, source: editors.current.get(current.id)?.text() ?? current.source });
        actions.remove(current.id);
        return;
      case 'v':
      case 'V': {
        const copied = copiedCell();
        if (copied === null) return;
        event.preventDefault();
        // V pastes below the selected cell (at the end when none is), Shift+V above it.
        insertCell(current ? (event.shiftKey ? at : at + 1) : allCellsRef.current.length, copied);
        return;
      }
      case 'z':
      case 'Z': {
        const last = deleted.current.pop();
        if (!last) return;
        event.preventDefault();
        insertCell(Math.min(last.index, allCellsRef.current.length), last.cell);
        return;
      }
      case 'm':
      case 'M':
      case 'y':
      case 'Y':
      case 't':
      case 'T': {
        const change = KIND_KEYS[key];
        if (!current || change === undefined) return;
        event.preventDefault();
        actions.changeKind(current.id, change);
        return;
      }
      case 'o':
      case 'O':
        if (!current) return;
        event.preventDefault();
        actions.toggleOutputs(current.id);
        return;
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
          index: key === 'a' ? at : at + 1,
          knownIds: new Set(allCellsRef.current.map((c) => c.id)),
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

  const renderCell = (cell: NotebookCell) => (
    <Cell
      cell={cell}
      runtime={notebook.runtime[cell.id]}
      selected={cell.id === selectedId}
      actions={actions}
      turnBadge={turnBadges.get(cell.id)}
      outputsCollapsed={isCollapsed(folds, cell.id)}
      deferred={deferredAtOpen.has(cell.id)}
    />
  );
  const renderItem = (item: CellItem) => {
    const first = item.kind === 'cell' ? item.cell : item.cells[0];
    const startsConversation = first !== undefined && first.id === notebook.meta.contextFrom;
    return (
      <div role="listitem" key={item.kind === 'cell' ? item.cell.id : `discarded-${item.key}`}>
        {startsConversation && <ConversationStart pending={false} />}
        {item.kind === 'cell' ? (
          renderCell(item.cell)
        ) : (
          <DiscardedTurn
            model={item.model}
            turn={item.turn}
            count={item.cells.length}
            open={unfolded.has(item.key)}
            onToggle={() =>
              setUnfolded((set) => {
                const next = new Set(set);
                if (!next.delete(item.key)) next.add(item.key);
                return next;
              })
            }
          >
            {item.cells.map((cell) => (
              <div key={cell.id}>{renderCell(cell)}</div>
            ))}
          </DiscardedTurn>
        )}
      </div>
    );
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
        {items.map((item) => renderItem(item))}
        {notebook.meta.contextFrom !== null && !notebook.cells.some((c) => c.id === notebook.meta.contextFrom) && (
          <div role="listitem">
            <ConversationStart pending />
          </div>
        )}
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
