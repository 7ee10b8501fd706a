import { describe, expect, it } from 'vitest';
import { COLLAPSED, countLines, EXPANDED, windowText } from '@duet/notebook';

const lines = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i}`).join('\n') + '\n';

describe('counting lines', () => {
  it.each([
    { text: '', expected: 0 },
    { text: 'a', expected: 1 },
    { text: 'a\n', expected: 1 },
    { text: 'a\nb', expected: 2 },
    { text: 'a\n\nb\n', expected: 3 },
  ])('$text has $expected lines', ({ text, expected }) => {
    expect(countLines(text)).toBe(expected);
  });
});

describe('cutting long output to what the page can show', () => {
  it('shows short output whole', () => {
    const text = lines(10);
    expect(windowText(text, COLLAPSED)).toEqual({ head: text, tail: '', totalLines: 10, hiddenLines: 0, hiddenChars: 0 });
  });

  it('shows the first and last lines of a 300,000-line stream, with the rest counted', () => {
    const win = windowText(lines(300_000), COLLAPSED);
    expect(win.totalLines).toBe(300_000);
    expect(countLines(win.head)).toBe(COLLAPSED.headLines);
    expect(countLines(win.tail)).toBe(COLLAPSED.tailLines);
    expect(win.head.startsWith('line 0\n')).toBe(true);
    expect(win.tail.endsWith('line 299999\n')).toBe(true);
    expect(win.hiddenLines).toBe(300_000 - COLLAPSED.headLines - COLLAPSED.tailLines);
  });

  it('caps even the expanded view', () => {
    const win = windowText(lines(300_000), EXPANDED);
    expect(countLines(win.head)).toBe(EXPANDED.headLines);
    expect(win.tail).toBe('');
    expect(win.hiddenLines).toBe(300_000 - EXPANDED.headLines);
  });

  it('bounds one enormous line by characters', () => {
    const win = windowText('x'.repeat(1_000_000), COLLAPSED);
    expect(win.head.length + win.tail.length).toBeLessThanOrEqual(COLLAPSED.maxChars);
    expect(win.hiddenChars).toBe(1_000_000 - win.head.length - win.tail.length);
  });
});
