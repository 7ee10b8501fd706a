/**
 * Model-written markdown and rich output made safe for the page: markdown-it and
 * DOMPurify together, fetched as one chunk the first time a cell needs them.
 */
import { markdownToHtml } from './markdown-html.ts';
import { sanitizeHtml } from './sanitize.ts';

export { sanitizeHtml };

/** Markdown to sanitized HTML; raw HTML in it is shown as text, never run. */
export function markdownHtml(source: string): string {
  return sanitizeHtml(markdownToHtml(source));
}
