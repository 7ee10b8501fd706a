import { describe, expect, it } from 'vitest';
import { NotebookDocument, NotebookFormatError, fromIpynb, serializeNotebook, toIpynb } from '@duet/server';

/** A notebook with one cell of every role and an output of every kind. */
function sampleDocument(): NotebookDocument {
  const doc = new NotebookDocument('sample');
  doc.setMeta({ models: { A: { id: 'm-a', baseUrl: 'http://127.0.0.1:1/v1' }, B: { id: 'm-b', baseUrl: 'http://127.0.0.1:2/v1' } }, required: 3, passes: 1, halted: 'max-turns' });
  doc.addCell({ cellType: 'markdown', source: 'Write fib(n).', duet: { role: 'prompt', model: null, turn: 0 } });
  doc.addCell({ cellType: 'markdown', source: 'thinking…\nmore', duet: { role: 'reasoning', model: 'A', turn: 1 } });
  doc.addCell({ cellType: 'markdown', source: 'Here is fib:\n', duet: { role: 'prose', model: 'A', turn: 1 } });
  doc.addCell({
    cellType: 'code',
    source: 'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nprint(fib(10))\nfib(10)',
    duet: { role: 'code', model: 'A', turn: 1 },
    executionCount: 1,
    outputs: [
      { output_type: 'stream', name: 'stdout', text: '55\nline two\n' },
      { output_type: 'stream', name: 'stderr', text: 'warning\n' },
      { output_type: 'execute_result', execution_count: 1, data: { 'text/plain': '55', 'text/html': '<b>55</b>\n<i>x</i>' }, metadata: {} },
      { output_type: 'display_data', data: { 'image/png': 'iVBORw0KGgo=', 'application/json': { a: [1, 2] } }, metadata: { width: 10 } },
    ],
  });
  doc.addCell({
    cellType: 'code',
    source: 'assert fib(10) == 56',
    duet: { role: 'test', model: 'A', turn: 1, test: { status: 'failed' } },
    executionCount: 2,
    outputs: [{ output_type: 'error', ename: 'AssertionError', evalue: '', traceback: ['Traceback', 'AssertionError'] }],
  });
  doc.addCell({ cellType: 'code', source: 'echo hi', duet: { role: 'code', model: 'B', turn: 2, note: 'Not run: bash is not Python.', unrunnable: true } });
  doc.addCell({ cellType: 'code', source: '', duet: { role: 'test', model: 'B', turn: 2, test: { status: 'not-run' } } });
  doc.addCell({ cellType: 'markdown', source: 'Execution results…', duet: { role: 'feedback', model: 'B', turn: 2 } });
  return doc;
}

describe('toIpynb and fromIpynb', () => {
  it('give back the same cells and metadata after a round trip through JSON text', () => {
    const doc = sampleDocument();
    const back = fromIpynb('sample', JSON.parse(serializeNotebook(doc)));
    expect(back.cells).toEqual(doc.cells);
    expect(back.meta).toEqual(doc.meta);
    expect(back.name).toBe('sample');
  });

  it('write nbformat 4.5 with the duet metadata of DESIGN.md', () => {
    const json = toIpynb(sampleDocument());
    expect(json).toMatchObject({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3' }, language_info: { name: 'python' }, duet: { required: 3, passes: 1, halted: 'max-turns', models: { A: { id: 'm-a' } } } },
    });
    const cells = json.cells as { cell_type: string; id: string; source: string[]; metadata: { duet: unknown } }[];
    expect(cells.map((c) => c.cell_type)).toEqual(['markdown', 'markdown', 'markdown', 'code', 'code', 'code', 'code', 'markdown']);
    expect(cells[4]?.metadata.duet).toEqual({ role: 'test', model: 'A', turn: 1, test: { status: 'failed' } });
    // nbformat keeps multi-line text as a list of lines, each with its newline.
    expect(cells[2]?.source).toEqual(['Here is fib:\n']);
    expect(cells[3]?.source.at(-1)).toBe('fib(10)');
  });

  it('read a notebook written by Jupyter, with string sources and raw cells', () => {
    const doc = fromIpynb('jupyter', {
      nbformat: 4,
      nbformat_minor: 4,
      metadata: {},
      cells: [
        { cell_type: 'markdown', metadata: {}, source: '# Title' },
        { cell_type: 'raw', metadata: {}, source: 'raw text' },
        { cell_type: 'code', metadata: {}, source: ['x = 1\n', 'x'], execution_count: null, outputs: [] },
      ],
    });
    expect(doc.cells.map((c) => [c.cellType, c.source, c.duet.role])).toEqual([
      ['markdown', '# Title', 'prose'],
      ['code', 'x = 1\nx', 'code'],
    ]);
    expect(doc.meta).toEqual({ models: null, required: 2, passes: 0, halted: null, runs: [], contextFrom: null, settings: {} });
    expect(new Set(doc.cells.map((c) => c.id)).size).toBe(2);
  });

  it.each([
    { name: 'null', json: null, why: /not a JSON object/ },
    { name: 'an array', json: [], why: /not a JSON object/ },
    { name: 'a package.json', json: { name: 'x', version: '1.0.0' }, why: /nbformat undefined is not supported/ },
    { name: 'an nbformat 3 notebook', json: { nbformat: 3, worksheets: [] }, why: /nbformat 3 is not supported/ },
    { name: 'a notebook without cells', json: { nbformat: 4, nbformat_minor: 5, metadata: {} }, why: /no cells list/ },
    { name: 'a cell that is not an object', json: { nbformat: 4, cells: ['x'] }, why: /cell 0 is not an object/ },
    { name: 'an unknown cell type', json: { nbformat: 4, cells: [{ cell_type: 'widget', source: '' }] }, why: /unknown cell_type "widget"/ },
    { name: 'a source of numbers', json: { nbformat: 4, cells: [{ cell_type: 'code', source: [1, 2] }] }, why: /cell 0 source/ },
    {
      name: 'an unknown output type',
      json: { nbformat: 4, cells: [{ cell_type: 'code', source: '', outputs: [{ output_type: 'pyout' }] }] },
      why: /unknown output_type "pyout"/,
    },
  ])('refuse $name with a NotebookFormatError that says why', ({ json, why }) => {
    let caught: unknown;
    try {
      fromIpynb('bad', json);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NotebookFormatError);
    expect((caught as Error).message).toMatch(why);
  });
});

describe('Duet metadata of runs and conversations', () => {
  it('survives saving and reading: runs, settings, the conversation start, and the new cell fields', () => {
    const doc = new NotebookDocument('runs');
    const prompt = doc.addCell({ cellType: 'markdown', source: 'Write add.', duet: { role: 'prompt', model: null, turn: 0, run: 0 } });
    doc.addCell({ cellType: 'code', source: 'def add(a, b): return a + b', duet: { role: 'code', model: 'A', turn: 1, run: 0, modelId: 'qwen2.5-coder-7b', edited: true } });
    doc.addCell({ cellType: 'code', source: 'assert add(1, 1) == 2', duet: { role: 'test', model: 'B', turn: 2, run: 0, test: { status: 'stale' }, discarded: true } });
    doc.addCell({ cellType: 'markdown', source: 'Results…', duet: { role: 'feedback', model: 'A', turn: 1, run: 0, to: 'B' } });
    doc.setMeta({
      runs: [
        {
          request: 'Write add.',
          kind: 'new',
          models: { A: { id: 'qwen2.5-coder-7b', baseUrl: 'http://localhost:1234/v1' }, B: { id: 'llama-3.1-8b', baseUrl: 'http://localhost:1234/v1' } },
          required: 2,
          passes: 1,
          halted: 'max-turns',
          mode: 'coder-tester',
          first: 'B',
          startedAt: '2026-11-29T10:00:00.000Z',
          turns: [{ turn: 1, model: 'A', ms: 1234, promptTokens: 900, completionTokens: 120 }],
        },
      ],
      contextFrom: prompt.id,
      settings: { modelA: 'qwen2.5-coder-7b', maxTurns: 6, mode: 'coder-tester', first: 'B', instructionsA: 'Use type hints.' },
    });
    const back = fromIpynb('runs', JSON.parse(serializeNotebook(doc)));
    expect(back.meta).toEqual(doc.meta);
    expect(back.cells.map((c) => c.duet)).toEqual(doc.cells.map((c) => c.duet));
  });

  it('keeps the place of a run record it cannot read, and drops cell references to runs it has no record of', () => {
    const json = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { duet: { runs: ['garbage', { request: 'ok', models: { A: { id: 'a', baseUrl: 'u' }, B: { id: 'b', baseUrl: 'u' } } }] } },
      cells: [
        { cell_type: 'markdown', id: 'p1', metadata: { duet: { role: 'prompt', model: null, turn: 0, run: 1 } }, source: 'ok' },
        { cell_type: 'markdown', id: 'p2', metadata: { duet: { role: 'prompt', model: null, turn: 0, run: 7 } }, source: 'from elsewhere' },
      ],
    };
    const doc = fromIpynb('odd', json);
    expect(doc.meta.runs.map((r) => r.request)).toEqual(['', 'ok']);
    expect(doc.cells.map((c) => c.duet.run)).toEqual([1, undefined]);
  });
});
