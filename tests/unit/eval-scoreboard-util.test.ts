import { describe, expect, it } from 'vitest';
import { nameProblem } from '@duet/server';
import { copyName, niceMax, scoreboardHash, scoreboardRoute, spreadOffsets } from '@duet/notebook';

describe('the scoreboard in the web app', () => {
  it.each([
    { hash: '#/scoreboard', route: { name: null } },
    { hash: '#/scoreboard/', route: { name: null } },
    { hash: '#/scoreboard/nightly%20run', route: { name: 'nightly run' } },
    { hash: '#%2Fscoreboard%2Fx', route: { name: 'x' } },
    { hash: '#scoreboard', route: null },
    { hash: '#my-notebook', route: null },
    { hash: '', route: null },
    { hash: '#%E0%A4%A', route: null },
  ])('reads $hash as $route', ({ hash, route }) => {
    expect(scoreboardRoute(hash)).toEqual(route);
  });

  it('writes the hash it reads', () => {
    expect(scoreboardRoute(scoreboardHash('a b/c'))).toEqual({ name: 'a b/c' });
    expect(scoreboardHash(null)).toBe('#/scoreboard');
  });

  it.each([
    ['nightly', 'fizzbuzz', 'demo-a,demo-b'],
    ['e', 'HumanEval/0', 'http://gpu:8000/v1#qwen,llama3.2:latest'],
    ['.hidden', 'x'.repeat(200), 'a,b'],
    ['e', 'task.', 'a,b '],
  ])('names the copy of %s / %s / %s as the server accepts', (evalName, task, contestant) => {
    expect(nameProblem(copyName(evalName, task, contestant))).toBeNull();
  });

  it('draws axes with whole ticks and spreads equal dots', () => {
    expect(niceMax(4)).toBe(4);
    expect(niceMax(1320)).toBe(2000);
    expect(spreadOffsets([2, 2, 2, 3, 2])).toEqual([0, -3, 3, 0, -6]);
  });
});
