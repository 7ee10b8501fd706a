/** Model-written markdown, rendered and sanitized. */
import { memo, useMemo } from 'react';
import { markdownToHtml } from '../util/markdown-html.ts';
import { sanitizeHtml } from '../util/sanitize.ts';

/** Renders markdown; raw HTML in it is shown as text, never run. */
export const Markdown = memo(function Markdown({ source, className }: { source: string; className?: string }) {
  const html = useMemo(() => sanitizeHtml(markdownToHtml(source)), [source]);
  return <div className={className ? `markdown ${className}` : 'markdown'} dangerouslySetInnerHTML={{ __html: html }} />;
});
