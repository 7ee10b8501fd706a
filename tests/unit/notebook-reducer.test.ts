import type { CellRuntime, DocumentEvent, NbOutput, NotebookCell, NotebookSnapshot, RunState } from '@duet/server/protocol';
import { describe, expect, it } from 'vitest';
import { appendOutput, applyEvent, applyEvents } from '@duet/notebook';

const idle: CellRuntime = { phase: 'idle', startedAt: null, lastDurationMs: null };
const running: CellRuntime = { phase: 'running', startedAt: 1_000, lastDurationMs: null };

function cell(id: string, source = '', extra: Partial<NotebookCell> = {}): NotebookCell {
  return { id, cellType: 'code', source, outputs: [], executionCount: null, duet: { role: 'code', model: 'A', turn: 1 }, ...extra };
}

const run: RunState = {
  active: false,
  halted: null,
  passes: 0,
  required: 2,
  turn: 0,
  maxTurns: 4,
  streaming: null,
  producing: null,
  turnStartedAt: null,
  tokensPerSecond: null,
  error: null,
  waiting: null,
  context: { A: null, B: null },
};

function notebook(...cells: NotebookCell[]): NotebookSnapshot {
  return {
    name: 'nb',
    cells,
    runtime: Object.fromEntries(cells.map((c) => [c.id, idle])),
    meta: { models: null, required: 2, passes: 0, halted: null, runs: [], contextFrom: null, settings: {} },
    run,
    kernel: 'idle',
  };
}

const ids = (nb: NotebookSnapshot): string[] => nb.cells.map((c) => c.id);
const stdout = (text: string): NbOutput => ({ output_type: 'stream', name: 'stdout', text });
const stderr = (text: string): NbOutput => ({ output_type: 'stream', name: 'stderr', text });

describe('applying a document event to a notebook snapshot', () => {
  const base = notebook(cell('a', 'x = 1'), cell('b', 'y = 2'), cell('c'));

  const cases: { name: string; event: DocumentEvent; check(next: NotebookSnapshot): void }[] = [
    {
      name: 'cell-added inserts the cell at its index with its runtime',
      event: { type: 'cell-added', index: 1, cell: cell('n'), runtime: running },
      check: (next) => {
        expect(ids(next)).toEqual(['a', 'n', 'b', 'c']);
        expect(next.runtime.n).toEqual(running);
      },
    },
    {
      name: 'cell-added past the end appends',
      event: { type: 'cell-added', index: 99, cell: cell('n'), runtime: idle },
      check: (next) => expect(ids(next)).toEqual(['a', 'b', 'c', 'n']),
    },
    {
      name: 'cell-added with a known id replaces rather than duplicates it',
      event: { type: 'cell-added', index: 0, cell: cell('b', 'new'), runtime: idle },
      check: (next) => {
        expect(ids(next)).toEqual(['b', 'a', 'c']);
        expect(next.cells[0]?.source).toBe('new');
      },
    },
    {
      name: 'cell-removed drops the cell and its runtime',
      event: { type: 'cell-removed', id: 'b' },
      check: (next) => {
        expect(ids(next)).toEqual(['a', 'c']);
        expect(next.runtime.b).toBeUndefined();
      },
    },
    {
      name: 'cell-moved puts the cell at its new index',
      event: { type: 'cell-moved', id: 'a', index: 2 },
      check: (next) => expect(ids(next)).toEqual(['b', 'c', 'a']),
    },
    {
      name: 'cell-moved upwards',
      event: { type: 'cell-moved', id: 'c', index: 0 },
      check: (next) => expect(ids(next)).toEqual(['c', 'a', 'b']),
    },
    {
      name: 'source-appended adds streamed text to the end',
      event: { type: 'source-appended', id: 'a', text: '\ny = 2' },
      check: (next) => expect(next.cells[0]?.source).toBe('x = 1\ny = 2'),
    },
    {
      name: 'source-set replaces the text',
      event: { type: 'source-set', id: 'b', source: 'z = 3' },
      check: (next) => expect(next.cells[1]?.source).toBe('z = 3'),
    },
    {
      name: 'output-appended adds an output',
      event: { type: 'output-appended', id: 'c', output: stdout('hi\n') },
      check: (next) => expect(next.cells[2]?.outputs).toEqual([stdout('hi\n')]),
    },
    {
      name: 'outputs-set replaces outputs and the execution count',
      event: { type: 'outputs-set', id: 'a', outputs: [stderr('warn\n')], executionCount: 7 },
      check: (next) => {
        expect(next.cells[0]?.outputs).toEqual([stderr('warn\n')]);
        expect(next.cells[0]?.executionCount).toBe(7);
      },
    },
    {
      name: 'cell-meta replaces the duet metadata',
      event: { type: 'cell-meta', id: 'b', duet: { role: 'test', model: 'B', turn: 2, test: { status: 'passed' } } },
      check: (next) => expect(next.cells[1]?.duet.test?.status).toBe('passed'),
    },
    {
      name: 'cell-runtime sets the runtime of a known cell',
      event: { type: 'cell-runtime', id: 'b', runtime: running },
      check: (next) => expect(next.runtime.b).toEqual(running),
    },
    {
      name: 'notebook-meta replaces the notebook metadata',
      event: { type: 'notebook-meta', meta: { models: null, required: 3, passes: 1, halted: 'stopped', runs: [], contextFrom: null, settings: {} } },
      check: (next) => expect(next.meta.halted).toBe('stopped'),
    },
    {
      name: 'run-state replaces the run',
      event: { type: 'run-state', run: { ...run, active: true, streaming: 'A' } },
      check: (next) => expect(next.run.streaming).toBe('A'),
    },
    {
      name: 'run-state carries the model being waited for and the context meters',
      event: {
        type: 'run-state',
        run: {
          ...run,
          active: true,
          waiting: { slot: 'B', since: 1_000, loading: true, detail: 'Loading model' },
          context: { A: { sent: 2_310, window: 4_096, source: 'default', measured: false, maxTokens: 1_024, folded: 3, summary: 'Turn 1 (A): wrote add(); 1 test passed.' }, B: null },
        },
      },
      check: (next) => {
        expect(next.run.waiting).toEqual({ slot: 'B', since: 1_000, loading: true, detail: 'Loading model' });
        expect(next.run.context.A?.summary).toBe('Turn 1 (A): wrote add(); 1 test passed.');
        expect(next.run.context.B).toBeNull();
      },
    },
    {
      name: 'kernel-state sets the kernel status',
      event: { type: 'kernel-state', kernel: 'busy' },
      check: (next) => expect(next.kernel).toBe('busy'),
    },
  ];

  it.each(cases)('$name', ({ event, check }) => {
    const before = structuredClone(base);
    check(applyEvent(base, event));
    // The input snapshot is never mutated.
    expect(base).toEqual(before);
  });

  const noOps: { name: string; event: DocumentEvent }[] = [
    { name: 'a notice (kept by the store, not the document)', event: { type: 'notice', level: 'info', message: 'hi' } },
    { name: 'an event for an unknown cell', event: { type: 'source-appended', id: 'zzz', text: 'x' } },
    { name: 'removing an unknown cell', event: { type: 'cell-removed', id: 'zzz' } },
    { name: 'moving an unknown cell', event: { type: 'cell-moved', id: 'zzz', index: 0 } },
    { name: 'a runtime for an unknown cell', event: { type: 'cell-runtime', id: 'zzz', runtime: idle } },
    { name: 'setting the source it already has', event: { type: 'source-set', id: 'a', source: 'x = 1' } },
    { name: 'clearing outputs that are already empty', event: { type: 'outputs-cleared', id: 'a' } },
    { name: 'the kernel status it already has', event: { type: 'kernel-state', kernel: 'idle' } },
  ];

  it.each(noOps)('returns the same snapshot for $name', ({ event }) => {
    expect(applyEvent(base, event)).toBe(base);
  });
});

describe('structural sharing, which keeps untouched cells from re-rendering', () => {
  it('gives a new object only to the cell that changed', () => {
    const base = notebook(cell('a'), cell('b'), cell('c'));
    const next = applyEvent(base, { type: 'source-appended', id: 'b', text: 'x' });
    expect(next.cells[0]).toBe(base.cells[0]);
    expect(next.cells[1]).not.toBe(base.cells[1]);
    expect(next.cells[2]).toBe(base.cells[2]);
  });

  it('leaves every cell alone when only the run changes', () => {
    const base = notebook(cell('a'), cell('b'));
    const next = applyEvent(base, { type: 'run-state', run: { ...run, active: true } });
    expect(next.cells).toBe(base.cells);
  });
});

describe('outputs', () => {
  it('clears outputs on outputs-cleared', () => {
    const base = notebook(cell('a', '', { outputs: [stdout('old\n')] }));
    expect(applyEvent(base, { type: 'outputs-cleared', id: 'a' }).cells[0]?.outputs).toEqual([]);
  });

  const merging: { name: string; outputs: NbOutput[]; add: NbOutput; expected: NbOutput[] }[] = [
    { name: 'merges stdout after stdout', outputs: [stdout('a\n')], add: stdout('b\n'), expected: [stdout('a\nb\n')] },
    { name: 'keeps stderr apart from stdout', outputs: [stdout('a\n')], add: stderr('b\n'), expected: [stdout('a\n'), stderr('b\n')] },
    { name: 'starts a list with the first output', outputs: [], add: stdout('a'), expected: [stdout('a')] },
    {
      name: 'does not merge across a rich output',
      outputs: [stdout('a'), { output_type: 'display_data', data: { 'text/plain': 'x' }, metadata: {} }],
      add: stdout('b'),
      expected: [stdout('a'), { output_type: 'display_data', data: { 'text/plain': 'x' }, metadata: {} }, stdout('b')],
    },
  ];

  it.each(merging)('$name', ({ outputs, add, expected }) => {
    expect(appendOutput(outputs, add)).toEqual(expected);
  });
});

describe('a batch of events (one animation frame)', () => {
  it('applies them in order, as if one by one', () => {
    const base = notebook();
    const events: DocumentEvent[] = [
      { type: 'cell-added', index: 0, cell: cell('s', '', { cellType: 'markdown' }), runtime: { ...idle, phase: 'streaming' } },
      ...'Hello, world'.split('').map((ch): DocumentEvent => ({ type: 'source-appended', id: 's', text: ch })),
      { type: 'cell-runtime', id: 's', runtime: idle },
    ];
    const next = applyEvents(base, events);
    expect(next.cells[0]?.source).toBe('Hello, world');
    expect(next.runtime.s?.phase).toBe('idle');
    expect(next).toEqual(events.reduce(applyEvent, base));
  });
});
