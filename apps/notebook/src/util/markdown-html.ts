/**
 * Markdown to HTML for model-written prose. Raw HTML in the source is escaped,
 * not passed through (`html: false`), and markdown-it's link validator drops
 * `javascript:`, `vbscript:`, `file:` and non-image `data:` URLs. The result is
 * still sanitized with DOMPurify before it reaches the page (see Markdown.tsx):
 * this file is the part that can be tested without a DOM.
 */
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });

// Links open in a new tab and tell the target nothing about this page, which
// holds the server's token in its cookie.
const defaultLinkOpen = md.renderer.rules.link_open;
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  if (token) {
    token.attrSet('target', '_blank');
    token.attrSet('rel', 'noopener noreferrer');
  }
  return defaultLinkOpen ? defaultLinkOpen(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options);
};

/** Renders markdown to HTML with raw HTML escaped and unsafe link schemes dropped. */
export function markdownToHtml(source: string): string {
  return md.render(source);
}
