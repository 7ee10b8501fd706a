/**
 * A cell's editor. Until it is needed it is a plain `<pre>` of the text: cheap to
 * draw, so a 500-cell notebook opens quickly, and free of CodeMirror, which loads
 * in its own chunk after the page is usable. It becomes a CodeMirror view when it
 * scrolls near the viewport, or when it is clicked or asked for focus.
 */
import type { EditorView } from '@codemirror/view';
import { memo, useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { lazyModule } from '../util/lazy-module.ts';
import { whenNearViewport } from './near-viewport.ts';

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

export type EditorLanguage = 'python' | 'text';

interface CodeEditorProps {
  source: string;
  language: EditorLanguage;
  /** True while a model is still writing the cell. */
  readOnly: boolean;
  label: string;
  callbacks: EditorCallbacks;
  ref?: Ref<EditorHandle>;
}

const codeMirror = lazyModule(() => import('./CodeMirrorView.tsx'));

/** A cell's editor. Keep its props stable: it only reacts to `source`, `readOnly` and `language`. */
export const CodeEditor = memo(function CodeEditor({ source, language, readOnly, label, callbacks, ref }: CodeEditorProps) {
  const placeholderRef = useRef<HTMLPreElement>(null);
  const view = useRef<EditorView | null>(null);
  const callbacksRef = useRef(callbacks);
  callbacksRef.current = callbacks;
  const latestSource = useRef(source);
  latestSource.current = source;
  const [wanted, setWanted] = useState(false);
  const focusOnMount = useRef(false);
  const mod = codeMirror.use();

  useImperativeHandle(
    ref,
    () => ({
      focus() {
        if (view.current) view.current.focus();
        else {
          focusOnMount.current = true;
          setWanted(true);
        }
      },
      text: () => view.current?.state.doc.toString() ?? latestSource.current,
    }),
    [],
  );

  // Wanted once the placeholder scrolls near the viewport.
  useEffect(() => {
    if (wanted) return;
    const el = placeholderRef.current;
    if (!el) {
      setWanted(true);
      return;
    }
    return whenNearViewport(el, '800px 0px', () => setWanted(true));
  }, [wanted]);

  const live = wanted && mod !== null;
  return (
    <div className="editor">
      {live ? (
        <mod.CodeMirrorView source={source} language={language} readOnly={readOnly} label={label} callbacks={callbacksRef} view={view} focusOnMount={focusOnMount} />
      ) : (
        <pre
          ref={placeholderRef}
          className="editor-placeholder"
          onClick={() => {
            focusOnMount.current = true;
            setWanted(true);
          }}
        >
          {source.length > 0 ? source : ' '}
        </pre>
      )}
    </div>
  );
});
