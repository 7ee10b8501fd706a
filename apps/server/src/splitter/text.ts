/** Whitespace scans shared by the splitter's parts. */

/** ASCII whitespace: space, tab, LF, VT, FF, CR. */
export function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/** Index of the first character that is not whitespace, or -1. */
export function firstNonSpace(s: string): number {
  for (let i = 0; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return i;
  return -1;
}

/** Index of the last character that is not whitespace, or -1. */
export function lastNonSpace(s: string): number {
  for (let i = s.length - 1; i >= 0; i--) if (!isSpace(s.charCodeAt(i))) return i;
  return -1;
}
