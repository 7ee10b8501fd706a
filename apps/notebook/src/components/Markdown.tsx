/** Model-written markdown, rendered and sanitized. */
import { memo, useMemo } from 'react';
import { richHtml } from './rich-html.ts';

/**
 * Renders markdown; raw HTML in it is shown as text, never run. Until the markdown
 * chunk has arrived the source shows as plain text, so nothing waits for it.
 */
export const Markdown = memo(function Markdown({ source, className }: { source: string; className?: string }) {
  const rich = richHtml.use();
  const html = useMemo(() => (rich ? rich.markdownHtml(source) : null), [rich, source]);
  const classes = className ? `markdown ${className}` : 'markdown';
  if (html === null) return <div className={`${classes} markdown-pending`}>{source}</div>;
  return <div className={classes} dangerouslySetInnerHTML={{ __html: html }} />;
});
