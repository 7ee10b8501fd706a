/**
 * HTML from models and kernels reaches the page only through here. The page
 * carries the server's access cookie, so any script that ran would be code
 * execution for whoever wrote the prompt.
 *
 * Links are held to the same care: browsers send the cookie to every port of this
 * host, so a link to another origin (another port included) keeps its target only
 * in a data attribute, has no `href` to follow, and opens after the user confirms
 * (link-guard.ts). Links on Duet's own origin open in a new tab that cannot reach
 * back into this one.
 */
import DOMPurify from 'dompurify';
import { EXTERNAL_HREF_ATTR, linkTarget } from './links.ts';
import { assertNever } from './assert-never.ts';

const XLINK = 'http://www.w3.org/1999/xlink';

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  // Any element may carry a link: <a>, <area>, SVG's <a> (href or xlink:href).
  const raw = node.getAttribute('href') ?? node.getAttributeNS(XLINK, 'href');
  if (raw === null) return;
  node.removeAttribute('href');
  node.removeAttributeNS(XLINK, 'href');
  node.removeAttribute('xlink:href');
  node.removeAttribute('target');
  const target = linkTarget(raw, window.location.href);
  switch (target.kind) {
    case 'same-origin':
      node.setAttribute('href', target.href);
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
      return;
    case 'external':
      node.setAttribute(EXTERNAL_HREF_ATTR, target.href);
      node.setAttribute('title', `${target.href} (opens after you confirm)`);
      node.setAttribute('role', 'link');
      node.setAttribute('tabindex', '0');
      node.classList.add('external-link');
      return;
    case 'none':
      return;
    default:
      assertNever(target, 'link target');
  }
});

const CONFIG = {
  // Styles could restyle or cover the page; forms could phish for the token.
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'link', 'meta', 'base'],
  FORBID_ATTR: ['style', 'srcset', 'formaction', 'ping'],
  ALLOW_DATA_ATTR: false,
};

/** Returns HTML with script, event handlers, `javascript:` URLs, styling and followable links out of Duet removed. */
export function sanitizeHtml(html: string): string {
  return DOMPurify.sanitize(html, CONFIG);
}
