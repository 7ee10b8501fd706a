/**
 * A cell's outputs as Jupyter shows them. Rich HTML is sanitized; SVG is drawn
 * through `<img>`, where its scripts cannot run. As in JupyterLab, tall output
 * scrolls inside a box of bounded height (a toggle shows it at full height), and
 * the strip at its left folds it away.
 */
import type { ErrorOutput, MimeBundle, NbOutput } from '@duet/server/protocol';
import { memo, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { assertNever } from '../util/assert-never.ts';
import { LongText } from './LongText.tsx';
import { Markdown } from './Markdown.tsx';
import { richHtml } from './rich-html.ts';

/** HTML beyond this is shown as its text/plain form instead: sanitizing it would stall the page. */
const MAX_HTML_CHARS = 2_000_000;

/** nbformat allows a MIME value to be a list of lines. */
function mimeText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('');
  return null;
}

/** Empty until the sanitizer has arrived: unsanitized HTML is never drawn, not even as a stopgap. */
const SafeHtml = memo(function SafeHtml({ html }: { html: string }) {
  const rich = richHtml.use();
  const clean = useMemo(() => (rich ? rich.sanitizeHtml(html) : ''), [rich, html]);
  return <div className="output-html" dangerouslySetInnerHTML={{ __html: clean }} />;
});

function MimeView({ data }: { data: MimeBundle }) {
  const html = mimeText(data['text/html']);
  if (html !== null && html.length <= MAX_HTML_CHARS) return <SafeHtml html={html} />;
  const svg = mimeText(data['image/svg+xml']);
  if (svg !== null) {
    return <img className="output-image" alt="SVG output" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`} />;
  }
  for (const type of ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const) {
    const b64 = mimeText(data[type]);
    if (b64 !== null) {
      return <img className="output-image" alt={`${type.slice(6).toUpperCase()} output`} src={`data:${type};base64,${b64.replace(/\s+/g, '')}`} />;
    }
  }
  const markdown = mimeText(data['text/markdown']);
  if (markdown !== null) return <Markdown source={markdown} className="output-markdown" />;
  const plain = mimeText(data['text/plain']) ?? mimeText(data['text/latex']);
  if (plain !== null) return <LongText text={plain} className="output-plain" />;
  const json = data['application/json'];
  if (json !== undefined) return <LongText text={JSON.stringify(json, null, 2)} className="output-plain" />;
  const types = Object.keys(data).join(', ');
  return <div className="output-note">Output of type {types || 'unknown'} cannot be shown here.</div>;
}

function ErrorView({ output }: { output: ErrorOutput }) {
  const text = output.traceback.length > 0 ? output.traceback.join('\n') : `${output.ename}: ${output.evalue}`;
  return <LongText text={text} className="output-error" />;
}

const OutputView = memo(function OutputView({ output }: { output: NbOutput }) {
  switch (output.output_type) {
    case 'stream':
      return <LongText text={output.text} className={`output-stream output-${output.name}`} />;
    case 'error':
      return <ErrorView output={output} />;
    case 'display_data':
      return <MimeView data={output.data} />;
    case 'execute_result':
      return <MimeView data={output.data} />;
    default:
      return assertNever(output, 'output');
  }
});

/** True while the content is taller than its box: then the box scrolls, and offers to show it all. */
function useTaller(box: RefObject<HTMLDivElement | null>, content: RefObject<HTMLDivElement | null>, bounded: boolean): boolean {
  const [taller, setTaller] = useState(false);
  useEffect(() => {
    const b = box.current;
    const c = content.current;
    // At full height nothing overflows; what was tall stays so, so the toggle back stays offered.
    if (!bounded || !b || !c || typeof ResizeObserver === 'undefined') return;
    const measure = (): void => setTaller(c.offsetHeight > b.clientHeight + 1);
    // No measuring here: reading sizes now would force a layout of every cell as a notebook
    // opens. The observer's first report comes after the browser's own layout, and only once
    // the box is drawn (a cell far off screen is not).
    const observer = new ResizeObserver(measure);
    observer.observe(c);
    observer.observe(b);
    return () => observer.disconnect();
  }, [box, content, bounded]);
  return taller;
}

interface OutputsProps {
  outputs: readonly NbOutput[];
  /** Folded away: only the strip that unfolds it shows. */
  collapsed: boolean;
  onToggle(): void;
}

/** All outputs of one cell. */
export const Outputs = memo(function Outputs({ outputs, collapsed, onToggle }: OutputsProps) {
  const [bounded, setBounded] = useState(true);
  const box = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  // Measured only while the box is drawn: with no outputs, or folded, there is none.
  const taller = useTaller(box, content, bounded && !collapsed && outputs.length > 0);
  if (outputs.length === 0) return null;
  if (collapsed) {
    return (
      <div className="outputs collapsed">
        <button type="button" className="output-unfold" aria-expanded={false} onClick={onToggle}>
          <span aria-hidden="true">▸</span> Expand output
        </button>
        <span className="output-folded-note">
          {outputs.length} {outputs.length === 1 ? 'output' : 'outputs'} hidden
        </span>
      </div>
    );
  }
  const scrolls = bounded && taller;
  return (
    <div className={`outputs ${bounded ? 'bounded' : 'full-height'}`}>
      <button type="button" className="output-collapser" aria-expanded={true} aria-label="Collapse output" title="Collapse output (O)" onClick={onToggle}>
        <span aria-hidden="true" />
      </button>
      <div className="output-column">
        <div
          ref={box}
          className="outputs-box"
          {...(scrolls ? { role: 'region', 'aria-label': 'Cell output, scrolled', tabIndex: 0 } : {})}
          data-testid="outputs-box"
        >
          <div ref={content} className="outputs-content">
            {outputs.map((output, i) => (
              <div key={i} className="output">
                <OutputView output={output} />
              </div>
            ))}
          </div>
        </div>
        {(scrolls || !bounded) && (
          <button type="button" className="output-height" onClick={() => setBounded(!bounded)}>
            {bounded ? 'Show at full height' : 'Scroll in a box'}
          </button>
        )}
      </div>
    </div>
  );
});
