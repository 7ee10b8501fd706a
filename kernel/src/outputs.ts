/**
 * Cell outputs in nbformat 4 form. The kernel client produces them, the notebook
 * document stores them and the browser renders them, so they live here, at the
 * bottom of the import graph.
 */

/** A MIME bundle: `text/plain`, `image/png` (base64), `text/html`, … */
export type MimeBundle = Record<string, unknown>;

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: string;
}

export interface DisplayDataOutput {
  output_type: 'display_data';
  data: MimeBundle;
  metadata: Record<string, unknown>;
  /** Not part of nbformat: the display id, kept so `update_display_data` can find it. */
  transient?: { display_id?: string };
}

export interface ExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}

export type NbOutput = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

/** Fails to compile when a switch over a union misses a case. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}

/**
 * How deep the JSON of an output may nest. Serializing and measuring JSON recurse,
 * so a deeper value, tiny as it may be, could overflow the stack of whatever writes
 * it (the notebook file, a browser's message); Duet does not keep one.
 */
export const MAX_OUTPUT_DEPTH = 64;

/** What each object and list counts for beyond its members: holding one costs tens of bytes, however empty. */
const CONTAINER_BYTES = 16;
/** What each member of an object or list counts for beyond its key and value: its slot, its separator in the file. */
const MEMBER_BYTES = 8;

/**
 * Bytes an output counts for: the UTF-8 bytes of its text, wherever it is (data,
 * metadata, the display id, the traceback), and for its structure a fixed amount per
 * object, list and member. Every field the document keeps counts. The figure stays
 * within a small constant factor of both the memory the output takes and its size
 * in a saved notebook (JSON escapes, indentation and line lists add to the file,
 * bookkeeping to memory), so it is what output budgets count.
 *
 * Counting stops once the total passes `stopAbove` (the caller only needs to know
 * that a budget is gone), and is `Infinity` for JSON nested deeper than
 * {@link MAX_OUTPUT_DEPTH}.
 */
export function outputBytes(o: NbOutput, stopAbove = Number.POSITIVE_INFINITY): number {
  return jsonBytes(o, stopAbove);
}

/**
 * Bytes text counts for: UTF-8, with the control characters a file must escape
 * counted as their escapes. A line break counts one byte: it is most of what long
 * output is made of, and the file's two bytes for it are within the factor.
 * Adding up the figures of two pieces never gives less than the figure of the whole.
 */
export function textBytes(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  // Runs over every character a kernel sends: one loop, nothing allocated per character.
  let total = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x80) total += 1;
    else if (c < 0x20) total += c === 0x0a ? 1 : c === 0x09 || c === 0x0d || c === 0x08 || c === 0x0c ? 2 : 6;
    else if (c < 0x800) total += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      total += 4;
      i += 1;
    } else total += 3;
    if (total > stopAbove) return total;
  }
  return total;
}

/** The longest start of `text` whose {@link textBytes} is at most `bytes`; never splits a surrogate pair. */
export function textWithin(text: string, bytes: number): string {
  let used = 0;
  let i = 0;
  while (i < text.length) {
    const [cost, units] = charCost(text, i);
    if (used + cost > bytes) break;
    used += cost;
    i += units;
  }
  return text.slice(0, i);
}

/** Bytes of any value parsed from a kernel's message; see {@link outputBytes}. Iterative: depth is bounded, not the stack. */
function jsonBytes(value: unknown, stopAbove: number): number {
  let total = 0;
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [v, depth] = next;
    if (typeof v === 'string') {
      total += 2 + textBytes(v, stopAbove - total);
    } else if (typeof v === 'number') {
      total += Number.isFinite(v) ? String(v).length : 4;
    } else if (typeof v === 'boolean') {
      total += v ? 4 : 5;
    } else if (typeof v === 'object' && v !== null) {
      if (depth >= MAX_OUTPUT_DEPTH) return Number.POSITIVE_INFINITY;
      total += CONTAINER_BYTES;
      if (Array.isArray(v)) {
        for (const item of v as unknown[]) {
          total += MEMBER_BYTES;
          if (total > stopAbove) return total;
          pending.push([item, depth + 1]);
        }
      } else {
        for (const key in v) {
          if (!Object.hasOwn(v, key)) continue;
          total += MEMBER_BYTES + 2 + textBytes(key, stopAbove - total);
          if (total > stopAbove) return total;
          pending.push([(v as Record<string, unknown>)[key], depth + 1]);
        }
      }
    } else {
      // null, and anything JSON would write as null.
      total += 4;
    }
    if (total > stopAbove) return total;
  }
  return total;
}

/** Bytes of the character at `i`, and how many UTF-16 units it spans; the same rules as {@link textBytes}. */
function charCost(s: string, i: number): [number, number] {
  const c = s.charCodeAt(i);
  if (c < 0x20) {
    if (c === 0x0a) return [1, 1];
    // \t \r \b \f have two-character escapes; the rest are written \u00XX.
    return [c === 0x09 || c === 0x0d || c === 0x08 || c === 0x0c ? 2 : 6, 1];
  }
  if (c < 0x80) return [1, 1];
  if (c < 0x800) return [2, 1];
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return [4, 2];
  }
  // A lone surrogate: three bytes, as WTF-8 would hold it.
  return [3, 1];
}
