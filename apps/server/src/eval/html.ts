/** Text into HTML and SVG: every string from a result file or a model id goes through here. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an element's content or a quoted attribute. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** A relative link to a file in the eval folder, each path segment encoded (ids may hold `#`, `?`, spaces). */
export function fileHref(path: string): string {
  return path.split(/[/\\]/).map(encodeURIComponent).join('/');
}
