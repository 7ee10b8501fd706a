import { describe, expect, it } from 'vitest';
import { cutToBudget, feedbackText, outputsText, stripAnsi } from '@duet/server';
import type { CellOutcome } from '@duet/server';

/** The feedback budget of controller/feedback.ts: a few thousand characters at most. */
const FEEDBACK_BUDGET = 6000;
const MB = 1024 * 1024;

/** Lines `0`, `1`, … `n-1`, so head and tail can be told apart. */
function numberedLines(n: number): string {
  return Array.from({ length: n }, (_, i) => `line ${i}`).join('\n');
}

function outcome(over: Partial<CellOutcome> = {}): CellOutcome {
  return { id: 'c1', kind: 'code', status: 'ok', text: '', ...over };
}

describe('cutToBudget', () => {
  it('leaves text within the budget alone', () => {
    expect(cutToBudget('short', 100)).toBe('short');
  });

  it.each([
    { name: 'a budget of a few thousand', budget: 1500 },
    { name: 'a budget of a few hundred', budget: 200 },
    { name: 'a budget smaller than the note', budget: 20 },
    { name: 'a budget of zero', budget: 0 },
  ])('never goes over $name', ({ budget }) => {
    const text = 'x'.repeat(MB);
    expect(cutToBudget(text, budget).length).toBeLessThanOrEqual(budget);
  });

  it('keeps the head and the tail and says how much it cut', () => {
    const text = numberedLines(10_000);
    const cut = cutToBudget(text, 1000);
    expect(cut.startsWith('line 0\nline 1\n')).toBe(true);
    expect(cut.endsWith('line 9998\nline 9999')).toBe(true);
    const counted = /\[… (\d+) characters cut …\]/.exec(cut);
    expect(counted).not.toBeNull();
    const kept = cut.length - (counted?.[0].length ?? 0) - 2;
    expect(Number(counted?.[1]) + kept).toBe(text.length);
  });
});

describe('feedbackText', () => {
  it('says when nothing was runnable', () => {
    expect(feedbackText('A', [])).toMatch(/no RUN-CODE or TEST-ASSERT block/);
  });

  it("names the model and gives each cell's status and output", () => {
    const text = feedbackText('B', [
      outcome({ text: 'hello\n' }),
      outcome({ id: 'c2', kind: 'test', status: 'error', testStatus: 'failed', text: 'AssertionError: fib(10) != 55\n' }),
    ]);
    expect(text).toContain("model B's cells");
    expect(text).toMatch(/\[code cell 1\] ran\nhello/);
    expect(text).toMatch(/\[test cell 2\] raised an error — test FAILED\nAssertionError: fib\(10\) != 55/);
  });

  it('passes on the notes of blocks that were not run', () => {
    expect(feedbackText('A', [], ['Not run: a bash block.'])).toContain('Not run: a bash block.');
  });

  it.each([
    { name: 'one cell printing 1 MB', cells: 1 },
    { name: 'four cells printing 1 MB each', cells: 4 },
    { name: 'a hundred cells printing 1 MB each', cells: 100 },
  ])('stays within its budget for $name', ({ cells }) => {
    const flood = numberedLines(120_000);
    expect(flood.length).toBeGreaterThan(MB);
    const outcomes = Array.from({ length: cells }, (_, i) => outcome({ id: `c${i}`, text: flood }));
    const text = feedbackText('A', outcomes, ['Not run: a bash block.']);
    expect(text.length).toBeLessThanOrEqual(FEEDBACK_BUDGET);
    expect(text).toMatch(/characters cut/);
  });

  it('keeps the end of a long traceback, where the error is', () => {
    const text = feedbackText('A', [outcome({ status: 'error', text: `${'noise\n'.repeat(100_000)}ZeroDivisionError: division by zero` })]);
    expect(text).toMatch(/ZeroDivisionError: division by zero$/);
  });
});

describe('outputsText', () => {
  it('gives streams, plain-text results, images and the last lines of a traceback, without colour codes', () => {
    const text = outputsText([
      { output_type: 'stream', name: 'stdout', text: 'printed\n' },
      { output_type: 'execute_result', execution_count: 1, data: { 'text/plain': '42', 'text/html': '<b>42</b>' }, metadata: {} },
      { output_type: 'display_data', data: { 'image/png': 'iVBOR' }, metadata: {} },
      { output_type: 'error', ename: 'ValueError', evalue: 'bad', traceback: ['\u001b[31mfirst\u001b[0m', 'a', 'b', '\u001b[31mValueError\u001b[0m: bad'] },
    ]);
    expect(text).toBe('printed\n42\n[image]\na\nb\nValueError: bad\n');
  });

  it('strips ANSI colour codes', () => {
    expect(stripAnsi('\u001b[1;31mred\u001b[0m')).toBe('red');
  });
});
