/**
 * Long text cut to what a page can show without stalling: the first and last
 * lines, or on request a longer, still bounded, head. Works by scanning for line
 * breaks rather than splitting, so a 300,000-line stream costs one pass.
 */

/** What part of a long text to show, and how much was left out. */
export interface TextWindow {
  /** Text to show before the gap (all of it when nothing is hidden). */
  head: string;
  /** Text to show after the gap; empty when nothing is hidden at the end. */
  tail: string;
  /** Lines in the whole text. */
  totalLines: number;
  /** Lines left out between head and tail (or after head when tail is empty). */
  hiddenLines: number;
  /** Characters left out. */
  hiddenChars: number;
}

/** Limits for {@link windowText}. */
export interface WindowLimits {
  headLines: number;
  tailLines: number;
  /** A bound on characters too, for output that is one enormous line. */
  maxChars: number;
}

/** Collapsed view: enough to see what happened at the start and the end. */
export const COLLAPSED: WindowLimits = { headLines: 200, tailLines: 50, maxChars: 40_000 };
/** "Show all": still bounded, so a runaway print cannot freeze the tab. */
export const EXPANDED: WindowLimits = { headLines: 20_000, tailLines: 0, maxChars: 2_000_000 };

/** Counts lines the way an editor would: a trailing newline does not start a new line. */
export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let n = 1;
  let i = text.indexOf('\n');
  while (i !== -1) {
    if (i < text.length - 1) n++;
    i = text.indexOf('\n', i + 1);
  }
  return n;
}

function headEnd(text: string, lines: number): number {
  let end = 0;
  for (let k = 0; k < lines; k++) {
    const i = text.indexOf('\n', end);
    if (i === -1) return text.length;
    end = i + 1;
  }
  return end;
}

function tailStart(text: string, lines: number): number {
  if (lines === 0) return text.length;
  // Skip a trailing newline so it does not count as an empty last line.
  let start = text.endsWith('\n') ? text.length - 1 : text.length;
  for (let k = 0; k < lines; k++) {
    const i = text.lastIndexOf('\n', start - 1);
    if (i === -1) return 0;
    start = i;
  }
  return start + 1;
}

/** Cuts `text` to at most `limits`, reporting how much it left out. */
export function windowText(text: string, limits: WindowLimits): TextWindow {
  const totalLines = countLines(text);
  const fits = totalLines <= limits.headLines + limits.tailLines && text.length <= limits.maxChars;
  if (fits) return { head: text, tail: '', totalLines, hiddenLines: 0, hiddenChars: 0 };

  const headBudget = limits.tailLines > 0 ? Math.floor(limits.maxChars * 0.75) : limits.maxChars;
  const tailBudget = limits.maxChars - headBudget;
  const hEnd = Math.min(headEnd(text, limits.headLines), headBudget);
  let tStart = Math.max(tailStart(text, limits.tailLines), text.length - tailBudget);
  if (tStart < hEnd) tStart = hEnd;
  if (limits.tailLines === 0) tStart = text.length;
  const head = text.slice(0, hEnd);
  const tail = text.slice(tStart);
  const shownLines = countLines(head) + countLines(tail);
  return {
    head,
    tail,
    totalLines,
    hiddenLines: Math.max(0, totalLines - shownLines),
    hiddenChars: text.length - head.length - tail.length,
  };
}
