/**
 * Feeds the splitter in many chunkings and checks the event stream is well formed:
 * cells 0, 1, 2 … each opened once, appended to, closed once, one open at a time,
 * and the appends of a cell adding up to its final source.
 */
import { expect } from 'vitest';
import { CellSplitter, collectCells, type CellSplitterOptions, type SplitCell, type SplitEvent } from '@duet/server';
import { seededRandom } from '@duet/server';

/** One delta of a model's stream: answer text, or reasoning_content. */
export type Delta = { content: string } | { reasoning: string };

export { seededRandom };

export function cutRandomly(text: string, seed: number, maxLength: number): string[] {
  const random = seededRandom(seed);
  const pieces: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(random() * maxLength);
    pieces.push(text.slice(i, i + n));
    i += n;
  }
  return pieces;
}

/** Named ways of cutting a text: whole, by character, random sizes, and every two-piece cut of short texts. */
export function chunkings(text: string): Array<{ name: string; pieces: string[] }> {
  const out = [
    { name: 'whole', pieces: [text] },
    { name: 'one character at a time', pieces: [...text] },
    { name: 'one UTF-16 unit at a time', pieces: text.split('') },
  ];
  for (const seed of [1, 2, 3]) out.push({ name: `random 1-7 (seed ${seed})`, pieces: cutRandomly(text, seed, 7) });
  if (text.length <= 400) {
    for (let i = 1; i < text.length; i++) out.push({ name: `cut at ${i}`, pieces: [text.slice(0, i), text.slice(i)] });
  }
  return out;
}

/** Checks the event rules and returns the finished cells. */
export function checkEvents(events: readonly SplitEvent[]): SplitCell[] {
  let open: { index: number; text: string } | null = null;
  let next = 0;
  for (const event of events) {
    switch (event.type) {
      case 'cell-open':
        expect(open, `cell ${event.index} opened while ${open?.index} is open`).toBeNull();
        expect(event.index).toBe(next);
        next++;
        open = { index: event.index, text: '' };
        break;
      case 'cell-append':
        expect(open?.index, 'append to the open cell').toBe(event.index);
        expect(event.text, 'appends are never empty').not.toBe('');
        if (open !== null) open.text += event.text;
        break;
      case 'cell-close':
        expect(open?.index, 'close the open cell').toBe(event.index);
        expect(event.source, 'appends add up to the final source').toBe(open?.text);
        open = null;
        break;
    }
  }
  expect(open, 'every cell is closed by end()').toBeNull();
  return collectCells(events);
}

/** Feeds content pieces, then end(), checking the events; returns the cells and the splitter. */
export function runPieces(
  pieces: readonly string[],
  options: CellSplitterOptions = {},
): { cells: SplitCell[]; splitter: CellSplitter } {
  const splitter = new CellSplitter(options);
  const events: SplitEvent[] = [];
  for (const piece of pieces) events.push(...splitter.push(piece));
  events.push(...splitter.end());
  return { cells: checkEvents(events), splitter };
}

/** Feeds content pieces, then end(), checking the events. */
export function feedPieces(pieces: readonly string[], options: CellSplitterOptions = {}): SplitCell[] {
  return runPieces(pieces, options).cells;
}

/** Feeds deltas (each cut by `cut`), then end(), checking the events. */
export function feedDeltas(
  deltas: readonly Delta[],
  cut: (text: string) => string[],
  options: CellSplitterOptions = {},
): SplitCell[] {
  const splitter = new CellSplitter(options);
  const events: SplitEvent[] = [];
  for (const delta of deltas) {
    if ('content' in delta) for (const piece of cut(delta.content)) events.push(...splitter.push(piece));
    else for (const piece of cut(delta.reasoning)) events.push(...splitter.pushReasoning(piece));
  }
  events.push(...splitter.end());
  return checkEvents(events);
}

/** Expected-cell builders, so tables read briefly. */
export const proseCell = (source: string, complete = true): SplitCell => ({
  kind: 'prose',
  source,
  lang: null,
  runnable: false,
  complete,
});
export const reasoningCell = (source: string): SplitCell => ({
  kind: 'reasoning',
  source,
  lang: null,
  runnable: false,
  complete: true,
});
function block(kind: 'code' | 'test', source: string, lang: string | null, complete: boolean): SplitCell {
  const python = lang === null || ['python', 'py', 'python3', 'ipython'].includes(lang);
  const cell: SplitCell = { kind, source, lang, runnable: python, complete };
  if (!python) cell.note = `Not run: Duet runs Python, and this block is marked as ${lang}.`;
  return cell;
}
export const codeCell = (source: string, lang: string | null = 'python', complete = true): SplitCell =>
  block('code', source, lang, complete);
export const testCell = (source: string, lang: string | null = 'python', complete = true): SplitCell =>
  block('test', source, lang, complete);

/**
 * Markdown in tests: a run of three or more `'` stands for as many backticks (so
 * inputs need no escaping),
 * and one leading newline is dropped, so an input can start on its own line.
 */
export function md(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  return text.replace(/^\n/, '').replace(/'{3,}/g, (run) => '`'.repeat(run.length));
}
