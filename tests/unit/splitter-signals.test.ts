import { describe, expect, it } from 'vitest';
import type { CellSplitterOptions, SplitCell, SplitterStats } from '@duet/server';
import {
  chunkings,
  codeCell,
  cutRandomly,
  type Delta,
  feedDeltas,
  md,
  proseCell,
  reasoningCell,
  runPieces,
} from './splitter-harness.ts';

const cuts: Array<{ name: string; cut: (text: string) => string[] }> = [
  { name: 'whole deltas', cut: (t) => [t] },
  { name: 'one character at a time', cut: (t) => [...t] },
  { name: 'random 1-5', cut: (t) => cutRandomly(t, 11, 5) },
];

describe('CellSplitter started in reasoning', () => {
  const answer = 'Okay, let me think.\n</think>\nHere it is.\nRUN-CODE\n```python\nx=1\n```';
  const cases: Array<{ name: string; deltas: Delta[]; expected: SplitCell[] }> = [
    {
      name: 'content up to a closing tag is reasoning, then prose and cells as usual',
      deltas: [{ content: answer }],
      expected: [reasoningCell('Okay, let me think.'), proseCell('Here it is.'), codeCell('x=1')],
    },
    {
      name: 'a reasoning delta before any content means the content starts in prose',
      deltas: [{ reasoning: 'Let me think.' }, { content: 'Here it is.\nRUN-CODE\n```python\nx=1\n```' }],
      expected: [reasoningCell('Let me think.'), proseCell('Here it is.'), codeCell('x=1')],
    },
    {
      name: 'blank content before the first reasoning delta does not count as content',
      deltas: [{ content: '\n\n' }, { reasoning: 'Hmm.' }, { content: 'Answer.' }],
      expected: [reasoningCell('Hmm.'), proseCell('Answer.')],
    },
    {
      name: 'a reasoning delta after the content has begun joins the reasoning already under way',
      deltas: [{ content: 'Part one.' }, { reasoning: ' Part two.' }, { content: '</think>Result.' }],
      expected: [reasoningCell('Part one. Part two.'), proseCell('Result.')],
    },
  ];

  it.each(cases)('$name', ({ deltas, expected }) => {
    for (const { name, cut } of cuts) {
      expect(feedDeltas(deltas, cut, { startInReasoning: true }), name).toEqual(expected);
    }
  });

  it('is off by default, so a closing tag alone is left out of the prose', () => {
    expect(feedDeltas([{ content: answer }], (t) => [t])).toEqual([
      proseCell('Okay, let me think.\n\nHere it is.'),
      codeCell('x=1'),
    ]);
  });
});

describe('CellSplitter.sawBareCloseTag', () => {
  const cases: Array<{ name: string; input: string; options?: CellSplitterOptions; expected: boolean }> = [
    { name: 'is set by a closing tag in prose with no opening tag', input: 'Hmm.\n</think>\n\nAnswer.', expected: true },
    { name: 'is set by a closing thinking tag in any case', input: 'Hmm. </THINKING>Answer.', expected: true },
    { name: 'is not set by a closing tag that ends a think block', input: '<think>x</think>Answer.', expected: false },
    {
      name: 'is not set by a second closing tag in a splitter started in reasoning',
      input: 'a</think>b</think>c',
      options: { startInReasoning: true },
      expected: false,
    },
    { name: 'is not set by a closing tag inside a shown block', input: '```html\n</think>\n```\n', expected: false },
    {
      name: 'is not set by a closing tag inside a marked block',
      input: 'RUN-CODE\n```python\ns = "</think>"\n```\n',
      expected: false,
    },
    { name: 'is not set by text that only starts like a closing tag', input: 'a </thin> b </thi', expected: false },
  ];

  it.each(cases)('$name, however the text is cut', ({ input, options, expected }) => {
    for (const { name, pieces } of chunkings(input)) {
      expect(runPieces(pieces, options).splitter.sawBareCloseTag, name).toBe(expected);
    }
  });
});

describe('CellSplitter.stats', () => {
  const cases: Array<{ name: string; input: string; expected: SplitterStats }> = [
    { name: 'an answer of prose has no blocks', input: 'Just words.', expected: { unmarkedPython: 0, marked: 0 } },
    {
      name: 'unmarked Python blocks, with or without a language, are counted; other languages are not',
      input: md`
RUN-CODE
'''python
x = 1
'''
'''python
y = 2
'''
Text.
'''js
z = 3
'''
'''
w = 4
'''
`,
      expected: { unmarkedPython: 2, marked: 1 },
    },
    {
      name: 'blocks bound by a marker after them count as marked, not unmarked',
      input: md`
'''python
def add(a, b): return a + b
'''
RUN-CODE
'''python
assert add(1, 2) == 3
'''
TEST-ASSERT
`,
      expected: { unmarkedPython: 0, marked: 2 },
    },
    {
      name: 'marked blocks count however they are marked, in any language',
      input: md`
'''bash RUN-CODE
ls
'''
'''python
# TEST-ASSERT
assert 1
'''
RUN-CODE
'''python
print(1)
'''
`,
      expected: { unmarkedPython: 0, marked: 3 },
    },
    {
      name: 'blocks inside reasoning are not counted',
      input: "<think>\n```python\nx = 1\n```\nRUN-CODE\n```python\ny = 2\n```\n</think>\nDone.",
      expected: { unmarkedPython: 0, marked: 0 },
    },
    {
      name: 'an unmarked block still open at the end is not counted',
      input: 'See:\n```python\nx = 1\n',
      expected: { unmarkedPython: 0, marked: 0 },
    },
  ];

  it.each(cases)('$name, however the text is cut', ({ input, expected }) => {
    for (const { name, pieces } of chunkings(input)) {
      expect(runPieces(pieces).splitter.stats, name).toEqual(expected);
    }
  });
});
