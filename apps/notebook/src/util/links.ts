/**
 * Where a link in model-written or kernel-written content leads, and what the user
 * is asked before it opens. Browsers send Duet's access cookie to every port of
 * this host (cookies do not tell ports apart), so a link out of Duet's own origin
 * must never be followed without the user's say-so. Pure: testable without a DOM.
 */

/** The attribute that holds the target of a link that leads out of Duet; the link has no `href`. */
export const EXTERNAL_HREF_ATTR = 'data-external-href';

export type LinkTarget =
  /** On Duet's own origin: an ordinary link, opened in a new tab. */
  | { kind: 'same-origin'; href: string }
  /** Anywhere else (another port, another host, mailto:): opened only after the user confirms. */
  | { kind: 'external'; href: string }
  /** Not something to open at all (script and local-data schemes, or not a URL). */
  | { kind: 'none' };

/** Schemes whose URLs would run or reveal something in the page's own context. */
const NEVER = new Set(['javascript:', 'vbscript:', 'data:', 'blob:', 'file:', 'filesystem:']);

/** Where `raw`, as written in a page at `page`, leads. */
export function linkTarget(raw: string, page: string): LinkTarget {
  let url: URL;
  let base: URL;
  try {
    base = new URL(page);
    url = new URL(raw.trim(), base);
  } catch {
    return { kind: 'none' };
  }
  if (NEVER.has(url.protocol)) return { kind: 'none' };
  if (url.origin === base.origin && (url.protocol === 'http:' || url.protocol === 'https:')) return { kind: 'same-origin', href: url.href };
  return { kind: 'external', href: url.href };
}

/** What the user is asked before an external link opens: the target, in full, and why it matters. */
export function externalLinkQuestion(href: string, pageHost: string): string {
  return [
    'This link leads out of Duet, to:',
    '',
    href,
    '',
    `A model or notebook code wrote it. Your browser also sends Duet's access cookie to every page on ${pageHost}, whatever its port, so open it only if you trust what listens there.`,
    '',
    'Open it in a new tab?',
  ].join('\n');
}
