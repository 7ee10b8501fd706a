/**
 * The CodeMirror 6 view behind a cell's editor, in its own chunk: the first page
 * load does not wait for CodeMirror. The view is created once and fed new text by
 * transactions, so streaming tokens and typing never rebuild it.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';
import { bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState, Prec, type Extension } from '@codemirror/state';
import { drawSelection, EditorView, keymap, placeholder } from '@codemirror/view';
import { useEffect, useRef, type RefObject } from 'react';
import type { EditorCallbacks, EditorLanguage } from './CodeEditor.tsx';
import { themedHighlightStyle } from './highlight-style.ts';

export interface CodeMirrorViewProps {
  source: string;
  language: EditorLanguage;
  readOnly: boolean;
  label: string;
  callbacks: RefObject<EditorCallbacks>;
  /** Where the view is kept for the cell's handle. */
  view: RefObject<EditorView | null>;
  /** Set when the cell asked for focus before the view existed. */
  focusOnMount: RefObject<boolean>;
}

/** Text changes made by this component, not the person, carry this annotation. */
const REMOTE = 'duet.remote';

function languageExtension(language: EditorLanguage): Extension {
  return language === 'python' ? python() : [];
}

function readOnlyExtension(readOnly: boolean): Extension {
  return [EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)];
}

function syncText(view: EditorView, source: string): void {
  const current = view.state.doc.toString();
  if (current === source) return;
  // Streaming only appends: insert the tail instead of replacing the document.
  const change = source.startsWith(current)
    ? { from: current.length, insert: source.slice(current.length) }
    : { from: 0, to: current.length, insert: source };
  view.dispatch({ changes: change, userEvent: REMOTE });
}

export function CodeMirrorView({ source, language, readOnly, label, callbacks, view, focusOnMount }: CodeMirrorViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const latest = useRef({ source, readOnly });
  latest.current = { source, readOnly };
  const languageSlot = useRef(new Compartment());
  const readOnlySlot = useRef(new Compartment());
  const typedSinceSync = useRef(false);

  useEffect(() => {
    if (!host.current) return;
    const cellKeys = Prec.highest(
      keymap.of([
        { key: 'Shift-Enter', run: () => (callbacks.current.onRunAndAdvance(), true) },
        { key: 'Mod-Enter', run: () => (callbacks.current.onRun(), true) },
        { key: 'Escape', run: () => (callbacks.current.onEscape(), true) },
      ]),
    );
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: latest.current.source,
        extensions: [
          cellKeys,
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          syntaxHighlighting(themedHighlightStyle, { fallback: true }),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          placeholder('Empty cell'),
          languageSlot.current.of(languageExtension(language)),
          readOnlySlot.current.of(readOnlyExtension(latest.current.readOnly)),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged && !update.transactions.some((t) => t.isUserEvent(REMOTE))) {
              typedSinceSync.current = true;
              callbacks.current.onChange(update.state.doc.toString());
            }
            if (update.focusChanged) {
              if (update.view.hasFocus) callbacks.current.onFocus();
              else {
                callbacks.current.onBlur();
                // Text set elsewhere while this editor had focus was held back; show it now,
                // unless the person typed, in which case their text is on its way to the server.
                // (Deferred: CodeMirror forbids dispatching from inside an update.)
                const target = update.view;
                queueMicrotask(() => {
                  if (!typedSinceSync.current && !target.hasFocus && view.current === target) syncText(target, latest.current.source);
                });
              }
            }
          }),
        ],
      }),
    });
    view.current = v;
    if (focusOnMount.current) {
      focusOnMount.current = false;
      v.focus();
    }
    return () => {
      v.destroy();
      view.current = null;
    };
    // Created once; later prop changes arrive through the effects below.
  }, []);

  useEffect(() => {
    const v = view.current;
    // Keep what the person is typing: an echo of an older edit must not undo it.
    if (!v) return;
    if (v.state.doc.toString() === source) typedSinceSync.current = false;
    if (v.hasFocus && !readOnly) return;
    syncText(v, source);
    typedSinceSync.current = false;
  }, [source, readOnly]);

  useEffect(() => {
    view.current?.dispatch({ effects: readOnlySlot.current.reconfigure(readOnlyExtension(readOnly)) });
  }, [readOnly]);

  useEffect(() => {
    view.current?.dispatch({ effects: languageSlot.current.reconfigure(languageExtension(language)) });
  }, [language]);

  return <div ref={host} className="editor-host" />;
}
