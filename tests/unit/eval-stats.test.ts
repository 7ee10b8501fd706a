import { describe, expect, it } from 'vitest';
import { buildReport, comparisonSentence, median, signTestP, wilsonInterval } from '@duet/server';
import { errored, judged, manifest } from '../support/eval-fixtures.ts';

describe('the Wilson interval of a pass rate', () => {
  it.each([
    { name: '8 of 10 matches the published 0.490–0.943', solved: 8, n: 10, low: 0.4902, high: 0.9433 },
    { name: '0 of 10 starts at 0 and is not empty', solved: 0, n: 10, low: 0, high: 0.2775 },
    { name: '10 of 10 ends at 1 and is not empty', solved: 10, n: 10, low: 0.7225, high: 1 },
    { name: '1 of 2 is wide, as two tasks say little', solved: 1, n: 2, low: 0.0945, high: 0.9055 },
    { name: '50 of 100 is centred', solved: 50, n: 100, low: 0.4038, high: 0.5962 },
  ])('$name', ({ solved, n, low, high }) => {
    const i = wilsonInterval(solved, n);
    expect(i?.low).toBeCloseTo(low, 4);
    expect(i?.high).toBeCloseTo(high, 4);
  });

  it('is null before any task was judged', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('the exact sign test (exact McNemar)', () => {
  it.each([
    { name: '9 against 2 is not quite significant', onlyA: 9, onlyB: 2, p: 0.06543 },
    { name: 'the order of the two sides does not matter', onlyA: 2, onlyB: 9, p: 0.06543 },
    { name: '6 against 0 is', onlyA: 6, onlyB: 0, p: 0.03125 },
    { name: 'an even split says nothing', onlyA: 5, onlyB: 5, p: 1 },
    { name: 'no discordant task says nothing', onlyA: 0, onlyB: 0, p: 1 },
    { name: 'one against none says nothing either', onlyA: 1, onlyB: 0, p: 1 },
  ])('$name', ({ onlyA, onlyB, p }) => {
    expect(signTestP(onlyA, onlyB)).toBeCloseTo(p, 5);
  });

  it('does not underflow for thousands of tasks', () => {
    const p = signTestP(1100, 900);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-5);
    expect(signTestP(1000, 1000)).toBe(1);
  });
});

describe('the median', () => {
  it.each([
    { values: [], expected: null },
    { values: [3], expected: 3 },
    { values: [3, 1, 2], expected: 2 },
    { values: [4, 1, 3, 2], expected: 2.5 },
  ])('of $values is $expected', ({ values, expected }) => {
    expect(median(values)).toBe(expected);
  });
});

describe('a scoreboard built from known results', () => {
  // Twelve tasks. X solves t1–t10 and claims all twelve; Y solves t1, t2 and t11, t12 and claims only what it solves.
  const tasks = Array.from({ length: 12 }, (_, i) => `t${i + 1}`);
  const results = [
    ...tasks.map((t, i) => judged('X', t, { solved: i < 10, claimed: true, turns: i < 6 ? 1 : 3, tokens: 1000 + i })),
    ...tasks.map((t, i) => judged('Y', t, { solved: i < 2 || i >= 10, turns: 2 })),
    // Z has an error on t1 and nothing else yet.
    errored('Z', 't1'),
  ];
  const report = buildReport('known', manifest(12, ['X', 'Y', 'Z']), results);
  const [x, y, z] = report.contestants;

  it('counts solved, claimed and false greens per pair', () => {
    expect(x).toMatchObject({ judged: 12, solved: 10, claimed: 12, falseGreens: 2, errors: 0 });
    expect(x?.passRate).toBeCloseTo(10 / 12);
    expect(x?.falseGreenRate).toBeCloseTo(2 / 12);
    expect(y).toMatchObject({ judged: 12, solved: 4, claimed: 4, falseGreens: 0, falseGreenRate: 0 });
  });

  it('leaves errors out of the rates and says a pair that never claimed has no false-green rate', () => {
    expect(z).toMatchObject({ done: 1, judged: 0, errors: 1, passRate: null, passInterval: null, falseGreenRate: null, medianTurns: null });
  });

  it('takes medians over judged tasks', () => {
    expect(x?.medianTurns).toBe(2);
    expect(x?.medianTokens).toBe(1005.5);
    expect(x?.turns).toHaveLength(12);
  });

  it('pairs two contestants on the tasks both had judged, with the exact p', () => {
    const xy = report.comparisons.find((c) => c.a === 'X' && c.b === 'Y');
    expect(xy).toMatchObject({ tasks: 12, both: 2, onlyA: 8, onlyB: 2, neither: 0 });
    expect(xy?.p).toBeCloseTo(0.109375, 6);
    expect(comparisonSentence(xy as NonNullable<typeof xy>)).toBe('X solved 8 tasks Y did not, and lost 2 (exact McNemar p = 0.11, 12 tasks).');
    const xz = report.comparisons.find((c) => c.a === 'X' && c.b === 'Z');
    expect(xz).toMatchObject({ tasks: 0, p: 1 });
  });

  it('compares two modes of one pair like any two contestants', () => {
    const modes = buildReport('modes', manifest(3, ['p,q', 'p,q@coder-tester']), [
      judged('p,q', 't1', { solved: false, claimed: true }),
      judged('p,q', 't2', { solved: true }),
      judged('p,q@coder-tester', 't1', { solved: true }),
      judged('p,q@coder-tester', 't2', { solved: true }),
    ]);
    expect(modes.contestants.map((c) => [c.id, c.mode])).toEqual([
      ['p,q', 'relay'],
      ['p,q@coder-tester', 'coder-tester'],
    ]);
    expect(modes.comparisons[0]).toMatchObject({ a: 'p,q', b: 'p,q@coder-tester', tasks: 2, onlyA: 0, onlyB: 1 });
    expect(modes.contestants[0]?.falseGreenRate).toBe(0.5);
    expect(modes.total).toBe(6);
    expect(modes.done).toBe(4);
  });

  it('lists each task with every contestant’s outcome, a later result replacing an earlier error', () => {
    const again = buildReport('again', manifest(1, ['X']), [errored('X', 't1'), judged('X', 't1', { solved: false, claimed: true })]);
    expect(again.tasks[0]?.cells.X).toMatchObject({ outcome: 'false-green', turns: 2, notebook: 'notebooks/X/t1.ipynb' });
    expect(again.contestants[0]).toMatchObject({ errors: 0, falseGreens: 1 });
  });
});
