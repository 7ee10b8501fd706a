import { describe, expect, it } from 'vitest';
import { SUMMARY_LINE_MAX, relayedAnswer, summarizeTurn } from '@duet/server';
import type { CellOutcome } from '@duet/server';

const ok = (kind: 'code' | 'test', extra: Partial<CellOutcome> = {}): CellOutcome => ({
  id: Math.random().toString(36),
  kind,
  status: 'ok',
  text: '',
  ...(kind === 'test' ? { testStatus: 'passed' as const } : {}),
  ...extra,
});

describe('summarizeTurn', () => {
  it.each([
    {
      name: 'says what ran and that the tests passed',
      outcomes: [ok('code'), ok('test'), ok('test')],
      expected: 'Turn 3, model A: 1 code cell ran; tests 2 passed.',
    },
    {
      name: "names a failed test and the error's last line",
      outcomes: [ok('code'), ok('test', { status: 'error', testStatus: 'failed', text: 'Traceback …\nAssertionError: 5 != 4\n' })],
      expected: 'Turn 3, model A: 1 code cell ran; tests 1 failed (AssertionError: 5 != 4).',
    },
    {
      name: 'counts code cells that failed',
      outcomes: [ok('code', { status: 'error', text: 'NameError: name x is not defined' }), ok('code')],
      expected: 'Turn 3, model A: 2 code cells, 1 failed (NameError: name x is not defined).',
    },
    {
      name: 'says nothing ran when there was nothing to run',
      outcomes: [],
      expected: 'Turn 3, model A: no RUN-CODE or TEST-ASSERT block, nothing ran.',
    },
  ])('$name', ({ outcomes, expected }) => {
    expect(summarizeTurn({ slot: 'A', turn: 3, outcomes })).toBe(expected);
  });

  it('names a format slip instead of the generic words', () => {
    expect(summarizeTurn({ slot: 'B', turn: 2, outcomes: [], slip: 'Python without markers, nothing ran' })).toBe('Turn 2, model B: Python without markers, nothing ran.');
  });

  it('stays one short line however long the error is', () => {
    const line = summarizeTurn({ slot: 'A', turn: 1, outcomes: [ok('code', { status: 'error', text: `ValueError: ${'x'.repeat(5000)}` })] });
    expect(line.length).toBeLessThanOrEqual(SUMMARY_LINE_MAX);
    expect(line).not.toContain('\n');
  });
});

describe('relayedAnswer', () => {
  it('gives prose and marked blocks with canonical markers, and never the reasoning', () => {
    const text = relayedAnswer([
      { kind: 'reasoning', lang: null, source: 'secret chain of thought' },
      { kind: 'prose', lang: null, source: 'Here it is.' },
      { kind: 'code', lang: 'python', source: 'x = 1' },
      { kind: 'test', lang: null, source: 'assert x == 1' },
    ]);
    expect(text).toBe('Here it is.\n\nRUN-CODE\n```python\nx = 1\n```\n\nTEST-ASSERT\n```python\nassert x == 1\n```');
    expect(text).not.toContain('secret');
  });
});
