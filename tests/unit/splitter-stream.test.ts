import { describe, expect, it } from 'vitest';
import { CellSplitter, type SplitCell, type SplitEvent } from '@duet/server';
import {
  codeCell,
  cutRandomly,
  type Delta,
  feedDeltas,
  proseCell,
  reasoningCell,
  testCell,
} from './splitter-harness.ts';

function appendedText(events: readonly SplitEvent[]): string {
  return events.map((e) => (e.type === 'cell-append' ? e.text : '')).join('');
}

describe('CellSplitter streams what is decided and holds back the rest', () => {
  it('streams a prose line before its newline once it cannot be a marker or a fence', () => {
    const splitter = new CellSplitter();
    const events = splitter.push('Hello wor');
    expect(events[0]).toMatchObject({ type: 'cell-open', index: 0, kind: 'prose' });
    expect(appendedText(events)).toBe('Hello wor');
  });

  it.each([
    { name: 'the start of a marker', first: '**RUN-CO', shown: '', then: 'LOUR**\n', thenShown: '**RUN-COLOUR**' },
    { name: 'a run of backticks', first: '``', shown: '', then: ' is two\n', thenShown: '`` is two' },
    { name: 'a fence opener until its line ends', first: '```js', shown: '', then: ' \nx', thenShown: '```js \nx' },
    { name: 'the start of a think tag', first: 'a <thin', shown: 'a', then: 'g> b\n', thenShown: ' <thing> b' },
    { name: 'blank lines until text follows', first: '\n\n  \n', shown: '', then: 'Text', thenShown: 'Text' },
  ])('holds back $name', ({ first, shown, then, thenShown }) => {
    const splitter = new CellSplitter();
    expect(appendedText(splitter.push(first))).toBe(shown);
    expect(appendedText(splitter.push(then))).toBe(thenShown);
  });

  it('streams code before its line ends, holding only what could close the fence', () => {
    const splitter = new CellSplitter();
    const first = splitter.push('RUN-CODE\n```python\nprint(1');
    expect(first.map((e) => e.type)).toEqual(['cell-open', 'cell-append']);
    expect(first[0]).toMatchObject({ kind: 'code', lang: 'python', runnable: true });
    expect(appendedText(first)).toBe('print(1');
    expect(appendedText(splitter.push(')\n``'))).toBe(')');
    const last = [...splitter.push('`\nAfter'), ...splitter.end()];
    expect(last[0]).toEqual({ type: 'cell-close', index: 0, source: 'print(1)', complete: true });
  });

  it('holds back an unmarked Python block until the first non-blank line after it decides', () => {
    const splitter = new CellSplitter();
    expect(appendedText(splitter.push('Intro\n```python\nx = 1\n```\n\n'))).toBe('Intro');
    expect(appendedText(splitter.push('Next'))).toBe('\n```python\nx = 1\n```\n\nNext');
  });

  it('turns a held block into a complete cell when a marker follows it, and never shows the marker', () => {
    const splitter = new CellSplitter();
    expect(splitter.push('```python\nx = 1\n```\nRUN-CO')).toEqual([]);
    const events = [...splitter.push('DE\nAfter\n'), ...splitter.end()];
    expect(events.slice(0, 3)).toEqual([
      { type: 'cell-open', index: 0, kind: 'code', lang: 'python', runnable: true },
      { type: 'cell-append', index: 0, text: 'x = 1' },
      { type: 'cell-close', index: 0, source: 'x = 1', complete: true },
    ]);
    expect(appendedText(events)).not.toContain('RUN-CODE');
  });

  it('never shows a marker line that introduced a block', () => {
    const splitter = new CellSplitter();
    const events: SplitEvent[] = [];
    for (const ch of 'Intro\n**RUN-CODE:**\n\n```python\nx = 1\n```\n') events.push(...splitter.push(ch));
    events.push(...splitter.end());
    expect(appendedText(events)).not.toContain('RUN-CODE');
  });

  it('does not make a blank line of a CR and an LF in separate chunks', () => {
    const splitter = new CellSplitter();
    const events = [...splitter.push('a\r'), ...splitter.push('\nb\r'), ...splitter.push('\n'), ...splitter.end()];
    expect(events.at(-1)).toEqual({ type: 'cell-close', index: 0, source: 'a\nb', complete: true });
  });

  it('refuses text after end(), and a second end() gives nothing', () => {
    const splitter = new CellSplitter();
    splitter.push('Done.');
    expect(splitter.end()).toEqual([{ type: 'cell-close', index: 0, source: 'Done.', complete: true }]);
    expect(splitter.end()).toEqual([]);
    expect(() => splitter.push('more')).toThrow(/after end\(\).*new splitter/);
  });
});

describe('CellSplitter with a reasoning stream', () => {
  const cases: Array<{ name: string; deltas: Delta[]; expected: SplitCell[] }> = [
    {
      name: 'reasoning deltas then content give a reasoning cell then prose',
      deltas: [{ reasoning: 'Let me think.' }, { reasoning: ' Two plus two.' }, { content: 'It is 4.' }],
      expected: [reasoningCell('Let me think. Two plus two.'), proseCell('It is 4.')],
    },
    {
      name: 'blank content between reasoning deltas does not split the reasoning',
      deltas: [{ reasoning: 'Step one.' }, { content: '\n\n' }, { reasoning: '\nStep two.' }, { content: 'Answer.' }],
      expected: [reasoningCell('Step one.\nStep two.'), proseCell('Answer.')],
    },
    {
      name: 'reasoning arriving while a marked block streams follows that block',
      deltas: [
        { content: 'RUN-CODE\n```python\nx = 1\n' },
        { reasoning: 'Hmm.' },
        { content: '```\nTEST-ASSERT\n```python\nassert x\n```\n' },
      ],
      expected: [codeCell('x = 1'), reasoningCell('Hmm.'), testCell('assert x')],
    },
    {
      name: 'reasoning arriving while an unmarked Python block is held follows the cell it becomes',
      deltas: [{ content: '```python\nx = 1\n' }, { reasoning: 'Hmm.' }, { content: '```\nRUN-CODE\nDone.' }],
      expected: [codeCell('x = 1'), reasoningCell('Hmm.'), proseCell('Done.')],
    },
    {
      name: 'reasoning arriving while an unmarked Python block awaits a marker follows the block left in the prose',
      deltas: [{ content: 'Intro\n```python\nx = 1\n```\n' }, { reasoning: 'Hmm.' }, { content: 'More.' }],
      expected: [proseCell('Intro\n```python\nx = 1\n```'), reasoningCell('Hmm.'), proseCell('More.')],
    },
    {
      name: 'reasoning arriving while an unmarked Python block is open at the end follows the incomplete prose',
      deltas: [{ content: '```python\nx = 1\n' }, { reasoning: 'Hmm.' }],
      expected: [proseCell('```python\nx = 1', false), reasoningCell('Hmm.')],
    },
    {
      name: 'reasoning between prose paragraphs splits the prose',
      deltas: [{ content: 'First.\n\n' }, { reasoning: 'Wait.' }, { content: 'Second.' }],
      expected: [proseCell('First.'), reasoningCell('Wait.'), proseCell('Second.')],
    },
    {
      name: 'reasoning deltas normalise CRLF cut between deltas',
      deltas: [{ reasoning: 'a\r' }, { reasoning: '\nb' }],
      expected: [reasoningCell('a\nb')],
    },
    {
      name: 'a think tag in the content after reasoning deltas joins the same reasoning cell',
      deltas: [{ reasoning: 'Part one.' }, { content: '<think>Part two.</think>Result.' }],
      expected: [reasoningCell('Part one.Part two.'), proseCell('Result.')],
    },
  ];

  const cuts: Array<{ name: string; cut: (text: string) => string[] }> = [
    { name: 'whole deltas', cut: (t) => [t] },
    { name: 'one character at a time', cut: (t) => [...t] },
    { name: 'random 1-5', cut: (t) => cutRandomly(t, 7, 5) },
  ];

  it.each(cases)('$name', ({ deltas, expected }) => {
    for (const { name, cut } of cuts) expect(feedDeltas(deltas, cut), name).toEqual(expected);
  });
});

describe('CellSplitter work stays linear in the length of the answer', () => {
  const section = [
    'Some prose about the task, with `inline` code and a <b>tag</b>.',
    '',
    '**RUN-CODE:**',
    '```python',
    'def f(x):',
    '    return x * 2',
    '```',
    '```bash',
    'echo unmarked',
    '```',
    '<think>a thought with < and <th and RUN-CODE</think>',
    '# TEST-ASSERT',
    '```python',
    'assert f(2) == 4',
    '```',
    '',
  ].join('\n');

  const inputs: Array<{ name: string; make: (n: number) => string }> = [
    { name: 'a realistic answer', make: (n) => section.repeat(Math.ceil(n / section.length)).slice(0, n) },
    { name: 'one long prose line', make: (n) => 'word '.repeat(n / 5) },
    { name: 'one long line of emphasis stars', make: (n) => '*'.repeat(n) },
    { name: 'one long fence opener line', make: (n) => '```' + 'x'.repeat(n) },
    { name: 'a long line of backticks inside a block', make: (n) => 'RUN-CODE\n````\n' + '`'.repeat(n) },
    { name: 'a long first line of tildes in an unmarked block', make: (n) => '~~~\n' + '~'.repeat(n) },
    { name: 'a long line of spaces', make: (n) => ' '.repeat(n) },
    { name: 'a marker followed by many blank lines', make: (n) => 'RUN-CODE\n' + '\n'.repeat(n) },
    { name: 'a long think block full of tag starts', make: (n) => '<think>' + '</thin'.repeat(n / 6) },
    { name: 'a long unmarked Python block held to the end', make: (n) => '```python\n' + 'x = 1\n'.repeat(n / 6) },
    {
      name: 'a long unmarked Python block bound by a marker after it',
      make: (n) => '```python\n' + 'x = 1\n'.repeat(n / 6) + '```\n\nRUN-CODE\n',
    },
    {
      name: 'many unmarked Python blocks, each followed by a marker or by prose',
      make: (n) => '```\nx = 1\n```\n**TEST-ASSERT:**\n```python\ny = 2\n```\nText.\n'.repeat(n / 48),
    },
    { name: 'a long prose closing tag soup', make: (n) => '</think>'.repeat(n / 8) },
  ];

  function workFedByCharacter(text: string): number {
    const splitter = new CellSplitter();
    for (let i = 0; i < text.length; i++) splitter.push(text[i] as string);
    splitter.end();
    return splitter.work;
  }

  it.each(inputs)('for $name fed one character at a time', ({ make }) => {
    const small = make(200_000);
    const work200 = workFedByCharacter(small);
    const work400 = workFedByCharacter(make(400_000));
    expect(work200).toBeGreaterThanOrEqual(small.length);
    expect(work400 / work200).toBeLessThan(2.5);
  });
});
