/**
 * Opens links that lead out of Duet only once the user has confirmed, in a dialog
 * that names the target. The sanitizer leaves such links without an `href` (so no
 * click, middle click, context menu or drag can follow them); this listener is the
 * one way they open, in a new tab that cannot reach back to this page.
 */
import { EXTERNAL_HREF_ATTR, externalLinkQuestion } from './links.ts';

export interface LinkGuardDeps {
  confirm: (question: string) => boolean;
  open: (href: string) => void;
}

const browserDeps: LinkGuardDeps = {
  confirm: (question) => window.confirm(question),
  open: (href) => void window.open(href, '_blank', 'noopener,noreferrer'),
};

/** Listens on the whole document; returns the removal. */
export function installLinkGuard(doc: Document, deps: LinkGuardDeps = browserDeps): () => void {
  const activate = (event: Event): void => {
    if (event instanceof KeyboardEvent && event.key !== 'Enter') return;
    const target = event.target instanceof Element ? event.target.closest(`[${EXTERNAL_HREF_ATTR}]`) : null;
    const href = target?.getAttribute(EXTERNAL_HREF_ATTR);
    if (!href) return;
    event.preventDefault();
    event.stopPropagation();
    if (deps.confirm(externalLinkQuestion(href, doc.location.hostname))) deps.open(href);
  };
  doc.addEventListener('click', activate, true);
  doc.addEventListener('keydown', activate, true);
  return () => {
    doc.removeEventListener('click', activate, true);
    doc.removeEventListener('keydown', activate, true);
  };
}
