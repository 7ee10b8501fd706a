import { describe, expect, it } from 'vitest';
import type { DuetNotebookMeta, NotebookCell, RunRecord, RunState } from '@duet/server/protocol';
import { discardedLabel, groupCells, visibleCellIds } from '@duet/notebook';
import { greenTests } from '@duet/notebook';
import { feedbackLabel, producingLabel, testStatusHint, testStatusLabel } from '@duet/notebook';
import { ALL_EXPANDED, foldAll, isCollapsed, toggleCell } from '@duet/notebook';
import { resumableHalt } from '@duet/notebook';
import { resolveTheme, toggledChoice } from '@duet/notebook';
import { turnLabelsByCell, turnStatsFor } from '@duet/notebook';

function cell(id: string, duet: Partial<NotebookCell['duet']> = {}): NotebookCell {
  return { id, cellType: 'code', source: '', outputs: [], executionCount: null, duet: { role: 'code', model: 'A', turn: 1, ...duet } };
}

const record: RunRecord = {
  request: 'Write add(a, b).',
  kind: 'new',
  models: { A: { id: 'model-a', baseUrl: 'http://x/v1' }, B: { id: 'model-b', baseUrl: 'http://x/v1' } },
  required: 2,
  passes: 0,
  halted: 'max-turns',
  mode: 'relay',
  first: 'A',
  startedAt: '2025-01-01T00:00:00.000Z',
  turns: [
    { turn: 1, model: 'A', ms: 12_300, promptTokens: 1234, completionTokens: 456 },
    { turn: 2, model: 'B', ms: 800, promptTokens: 2000, completionTokens: 12 },
  ],
};

describe('a test’s state in words', () => {
  it('calls a stale test stale, and says it counts as nothing until it runs again', () => {
    expect(testStatusLabel('stale')).toBe('stale');
    expect(testStatusHint('stale')).toContain('counts as nothing until it runs again');
  });
});

describe('what the streaming model is doing', () => {
  it.each([
    { producing: 'answer' as const, expected: 'A is writing' },
    { producing: 'reasoning' as const, expected: 'A is reasoning' },
    { producing: null, expected: 'A is writing' },
  ])('says "$expected" while it produces $producing', ({ producing, expected }) => {
    expect(producingLabel('A', producing)).toBe(expected);
  });
});

describe('a feedback cell’s title', () => {
  it('names whose cells ran and which model received the results', () => {
    expect(feedbackLabel('A', 'B')).toBe("Results of model A's cells, sent to model B");
  });

  it('names only whose results they are when the notebook does not say who received them', () => {
    expect(feedbackLabel('B', undefined)).toBe("Results of model B's cells");
  });
});

describe('a turn’s cost on its badge', () => {
  it('is found by the cell’s run, turn and model', () => {
    expect(turnStatsFor([record], cell('x', { run: 0, turn: 2, model: 'B' }).duet)).toEqual(record.turns[1]);
    expect(turnStatsFor([record], cell('x', { turn: 2, model: 'B' }).duet)).toBeUndefined();
    expect(turnStatsFor([record], cell('x', { run: 3, turn: 1 }).duet)).toBeUndefined();
  });

  it('is shown once per turn, on its first cell, as time then tokens read and written', () => {
    const cells = [cell('p', { role: 'prompt', model: null, turn: 0 }), cell('a1', { run: 0 }), cell('a2', { run: 0 }), cell('b1', { run: 0, turn: 2, model: 'B' })];
    const labels = turnLabelsByCell(cells, [record]);
    expect([...labels.keys()]).toEqual(['a1', 'b1']);
    expect(labels.get('a1')?.label).toBe('12.3 s · 1,234 → 456 tokens');
    expect(labels.get('a1')?.title).toContain('the prompt was 1,234 tokens, the answer 456');
  });
});

describe('turns replaced by Retry', () => {
  const cells = [
    cell('req', { role: 'prompt', model: null, turn: 0 }),
    cell('old1', { run: 0, turn: 2, model: 'B', discarded: true }),
    cell('old2', { run: 0, turn: 2, model: 'B', discarded: true, role: 'prose' }),
    cell('new1', { run: 1, turn: 2, model: 'B' }),
  ];

  it('fold each discarded turn into one group', () => {
    const items = groupCells(cells);
    expect(items.map((i) => (i.kind === 'cell' ? i.cell.id : i.cells.map((c) => c.id).join('+')))).toEqual(['req', 'old1+old2', 'new1']);
  });

  it('hide a folded group’s cells from the keyboard, and show them once unfolded', () => {
    const items = groupCells(cells);
    expect(visibleCellIds(items, new Set())).toEqual(['req', 'new1']);
    expect(visibleCellIds(items, new Set(['old1']))).toEqual(['req', 'old1', 'old2', 'new1']);
  });

  it('are named by model, turn and size', () => {
    expect(discardedLabel('B', 2, 2)).toBe("Model B's turn 2, replaced by Retry (2 cells)");
  });
});

describe('collapsing outputs', () => {
  it('folds one cell, then all, then unfolds all, forgetting the exceptions', () => {
    const one = toggleCell(ALL_EXPANDED, 'x');
    expect([isCollapsed(one, 'x'), isCollapsed(one, 'y')]).toEqual([true, false]);
    const all = foldAll(true);
    expect([isCollapsed(all, 'x'), isCollapsed(all, 'y')]).toEqual([true, true]);
    expect(isCollapsed(toggleCell(all, 'y'), 'y')).toBe(false);
    expect(isCollapsed(foldAll(false), 'x')).toBe(false);
  });
});

describe('Continue and Retry', () => {
  const run = { active: false, halted: null } as unknown as RunState;
  const meta = (halted: DuetNotebookMeta['halted'], runs: RunRecord[] = [record]): DuetNotebookMeta => ({
    models: record.models,
    required: 2,
    passes: 0,
    halted,
    runs,
    contextFrom: null,
    settings: {},
  });

  it.each([
    { halted: 'max-turns' as const, offered: 'max-turns' },
    { halted: 'error' as const, offered: 'error' },
    { halted: 'stopped' as const, offered: 'stopped' },
    { halted: 'tests-passed' as const, offered: null },
  ])('are offered after a run ended $halted: $offered', ({ halted, offered }) => {
    expect(resumableHalt(run, meta(halted))).toBe(offered);
  });

  it('are not offered while a run goes, or before any run', () => {
    expect(resumableHalt({ ...run, active: true }, meta('max-turns'))).toBeNull();
    expect(resumableHalt(run, meta('max-turns', []))).toBeNull();
  });
});

describe('the theme', () => {
  it('follows the system until toggled, and follows it again when toggled back to what it asks for', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(toggledChoice('dark', true)).toBe('light');
    expect(toggledChoice('light', true)).toBe('system');
    expect(toggledChoice('light', false)).toBe('dark');
  });
});

describe('the green count outside a run', () => {
  const meta = (runs: RunRecord[]): DuetNotebookMeta => ({ models: null, required: 2, passes: 0, halted: null, runs, contextFrom: null, settings: {} });
  const passed = (id: string, duet: Partial<NotebookCell['duet']> = {}): NotebookCell => cell(id, { role: 'test', test: { status: 'passed' }, ...duet });

  it('counts the latest request’s green tests, not the earlier requests’, nor stale or discarded ones', () => {
    const cells = [
      cell('q1', { role: 'prompt', model: null, turn: 0, run: 0 }),
      passed('t1', { run: 0 }),
      cell('q2', { role: 'prompt', model: null, turn: 0, run: 1 }),
      passed('t2', { run: 1 }),
      passed('t3', { run: 2 }),
      passed('old', { run: 1, discarded: true }),
      cell('t4', { role: 'test', run: 2, test: { status: 'stale' } }),
    ];
    const runs = [record, { ...record, request: 'Then more.' }, { ...record, kind: 'continue' as const, request: '' }];
    expect(greenTests(cells, meta(runs))).toBe(2);
  });

  it('is zero before any request', () => {
    expect(greenTests([passed('t')], meta([]))).toBe(0);
  });
});
