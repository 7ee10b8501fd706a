/**
 * A CodeMirror 6 editor that lives as long as its cell. The view is created once
 * and fed new text by transactions, so streaming tokens and typing never rebuild
 * it. Far off-screen editors start as plain text and become CodeMirror when they
 * scroll near, which keeps a 500-cell notebook quick to open.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';
import { bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState, Prec, type Extension } from '@codemirror/state';
import { drawSelection, EditorView, keymap, placeholder } from '@codemirror/view';
import { memo, useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { themedHighlightStyle } from './highlight-style.ts';

/** What a cell can ask of its editor. */
export interface EditorHandle {
  /** Focuses the editor, creating it first if it was still plain text. */
  focus(): void;
  /** The editor's text, which may be ahead of the document while the person types. */
  text(): string;
}

/** Keys the editor hands back to its cell. */
export interface EditorCallbacks {
  onChange(text: string): void;
  /** Ctrl/Cmd+Enter. */
  onRun(): void;
  /** Shift+Enter. */
  onRunAndAdvance(): void;
  /** Esc: back to command mode. */
  onEscape(): void;
  onFocus(): void;
  onBlur(): void;
}

interface CodeEditorProps {
  source: string;
  language: 'python' | 'text';
  /** True while a model is still writing the cell. */
  readOnly: boolean;
  label: string;
  callbacks: EditorCallbacks;
  ref?: Ref<EditorHandle>;
}

/** Text changes made by this component, not the person, carry this annotation. */
const REMOTE = 'duet.remote';

function languageExtension(language: CodeEditorProps['language']): Extension {
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

/** A cell's editor. Keep its props stable: it only reacts to `source`, `readOnly` and `language`. */
export const CodeEditor = memo(function CodeEditor({ source, language, readOnly, label, callbacks, ref }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const placeholderRef = useRef<HTMLPreElement>(null);
  const view = useRef<EditorView | null>(null);
  const callbacksRef = useRef(callbacks);
  callbacksRef.current = callbacks;
  const latest = useRef({ source, readOnly });
  latest.current = { source, readOnly };
  const languageSlot = useRef(new Compartment());
  const readOnlySlot = useRef(new Compartment());
  const [mounted, setMounted] = useState(false);
  const focusOnMount = useRef(false);
  const typedSinceSync = useRef(false);

  useImperativeHandle(
    ref,
    () => ({
      focus() {
        if (view.current) view.current.focus();
        else {
          focusOnMount.current = true;
          setMounted(true);
        }
      },
      text: () => view.current?.state.doc.toString() ?? latest.current.source,
    }),
    [],
  );

  // Mount CodeMirror when the placeholder scrolls near the viewport.
  useEffect(() => {
    if (mounted) return;
    const el = placeholderRef.current;
    if (!el || typeof IntersectionObserver === 'undefined') {
      setMounted(true);
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setMounted(true);
      },
      // The cells scroll inside their own container, which clips an observer rooted at the viewport.
      { root: el.closest('.cells-scroller'), rootMargin: '800px 0px' },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [mounted]);

  useEffect(() => {
    if (!mounted || !host.current) return;
    const cellKeys = Prec.highest(
      keymap.of([
        { key: 'Shift-Enter', run: () => (callbacksRef.current.onRunAndAdvance(), true) },
        { key: 'Mod-Enter', run: () => (callbacksRef.current.onRun(), true) },
        { key: 'Escape', run: () => (callbacksRef.current.onEscape(), true) },
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
              callbacksRef.current.onChange(update.state.doc.toString());
            }
            if (update.focusChanged) {
              if (update.view.hasFocus) callbacksRef.current.onFocus();
              else {
                callbacksRef.current.onBlur();
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
    // Created once per mount; later prop changes arrive through the effects below.
  }, [mounted]);

  useEffect(() => {
    const v = view.current;
    // Keep what the person is typing: an echo of an older edit must not undo it.
    if (!v) return;
    if (v.state.doc.toString() === source) typedSinceSync.current = false;
    if (v.hasFocus && !readOnly) return;
    syncText(v, source);
    typedSinceSync.current = false;
  }, [source, readOnly, mounted]);

  useEffect(() => {
    view.current?.dispatch({ effects: readOnlySlot.current.reconfigure(readOnlyExtension(readOnly)) });
  }, [readOnly, mounted]);

  useEffect(() => {
    view.current?.dispatch({ effects: languageSlot.current.reconfigure(languageExtension(language)) });
  }, [language, mounted]);

  return (
    <div className="editor">
      <div ref={host} className="editor-host" />
      {!mounted && (
        <pre
          ref={placeholderRef}
          className="editor-placeholder"
          onClick={() => {
            focusOnMount.current = true;
            setMounted(true);
          }}
        >
          {source.length > 0 ? source : ' '}
        </pre>
      )}
    </div>
  );
});
