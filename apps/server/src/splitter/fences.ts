/** CommonMark fences: ``` or ~~~, three or more, up to three spaces of indent. */
import { assertNever } from '../util/assert-never.ts';
import { parseInfoString, type FenceInfo } from './markers.ts';

/** An open fence: what closes it and how much indent its lines lose. */
export interface Fence {
  char: '`' | '~';
  length: number;
  /** Spaces before the opening fence; as many are taken off each line inside. */
  indent: number;
}

/** An opening fence line, read. */
export interface OpeningFence extends FenceInfo {
  fence: Fence;
}

const OPENING = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const OPENING_START = /^ {0,3}(?:`{3}|~{3})/;
const FENCE_PREFIX = /^ {0,3}(?:`{1,2}|~{1,2})?$/;

/** The fence a complete line opens, or null. Backtick info strings may not hold backticks. */
export function parseOpeningFence(line: string): OpeningFence | null {
  const m = OPENING.exec(line);
  if (m === null) return null;
  const indent = (m[1] as string).length;
  const run = m[2] as string;
  const info = m[3] as string;
  const char = run[0] === '`' ? '`' : '~';
  if (char === '`' && info.includes('`')) return null;
  return { fence: { char, length: run.length, indent }, ...parseInfoString(info) };
}

/** CommonMark: the lines of a fenced block's body lose up to the fence's indent in spaces. */
export function dropFenceIndent(body: string, fence: Fence): string {
  if (fence.indent === 0) return body;
  return body.replace(new RegExp(`^ {1,${fence.indent}}`, 'gm'), '');
}

/**
 * How far an incomplete line has got towards an opening fence: `started` once it
 * has three fence characters (decided at line end), `maybe` while it is still
 * only indent and one or two of them, `no` otherwise. Looks at a bounded prefix.
 */
export function openingFenceProgress(partial: string): 'started' | 'maybe' | 'no' {
  const head = partial.slice(0, 6);
  if (OPENING_START.test(head)) return 'started';
  return partial.length <= 5 && FENCE_PREFIX.test(partial) ? 'maybe' : 'no';
}

/**
 * Decides, one piece at a time, whether the current line closes a fence: same
 * character, at least as long, nothing after it but spaces. Each character is
 * looked at once, so a long line costs its length and no more.
 */
export class ClosingFenceMatcher {
  private phase: 'indent' | 'run' | 'trail' | 'failed' = 'indent';
  private indent = 0;
  private run = 0;

  constructor(private readonly fence: Fence) {}

  /** Feeds more of the line; returns how many characters were examined. */
  feed(piece: string): number {
    let i = 0;
    for (; i < piece.length && this.phase !== 'failed'; i++) this.step(piece[i] as string);
    return i;
  }

  /** False once the line can no longer be a closing fence. */
  get possible(): boolean {
    return this.phase !== 'failed';
  }

  /** True when the line so far is a complete closing fence. */
  get matched(): boolean {
    return (this.phase === 'run' || this.phase === 'trail') && this.run >= this.fence.length;
  }

  private step(ch: string): void {
    switch (this.phase) {
      case 'indent':
        if (ch === ' ' && this.indent < 3) this.indent++;
        else if (ch === this.fence.char) [this.phase, this.run] = ['run', 1];
        else this.phase = 'failed';
        return;
      case 'run':
        if (ch === this.fence.char) this.run++;
        else this.phase = ch === ' ' || ch === '\t' ? 'trail' : 'failed';
        return;
      case 'trail':
        if (ch !== ' ' && ch !== '\t') this.phase = 'failed';
        return;
      case 'failed':
        return;
      default:
        assertNever(this.phase, 'fence phase');
    }
  }
}
