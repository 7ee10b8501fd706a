/**
 * A cell's outputs as Jupyter shows them. Rich HTML is sanitized; SVG is drawn
 * through `<img>`, where its scripts cannot run.
 */
import type { ErrorOutput, MimeBundle, NbOutput } from '@duet/server/protocol';
import { memo, useMemo } from 'react';
import { assertNever } from '../util/assert-never.ts';
import { sanitizeHtml } from '../util/sanitize.ts';
import { LongText } from './LongText.tsx';
import { Markdown } from './Markdown.tsx';

/** HTML beyond this is shown as its text/plain form instead: sanitizing it would stall the page. */
const MAX_HTML_CHARS = 2_000_000;

/** nbformat allows a MIME value to be a list of lines. */
function mimeText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('');
  return null;
}

const SafeHtml = memo(function SafeHtml({ html }: { html: string }) {
  const clean = useMemo(() => sanitizeHtml(html), [html]);
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

/** All outputs of one cell. */
export const Outputs = memo(function Outputs({ outputs }: { outputs: readonly NbOutput[] }) {
  if (outputs.length === 0) return null;
  return (
    <div className="outputs">
      {outputs.map((output, i) => (
        <div key={i} className="output">
          <OutputView output={output} />
        </div>
      ))}
    </div>
  );
});
