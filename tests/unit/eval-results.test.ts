import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { latestResults, mergeManifest, parseResults, readResults, resultKey, ResultsWriter } from '@duet/server';
import { errored, judged, manifest } from '../support/eval-fixtures.ts';

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duet-eval-results-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('results.jsonl', () => {
  it('reads every result line and skips, counting them, lines a crash cut short or another program wrote', () => {
    const good = judged('X', 't1', { solved: true });
    const text = [JSON.stringify(good), '{"v":1,"task":"t2","contest', JSON.stringify({ hello: 'world' }), '', JSON.stringify(errored('X', 't3'))].join('\n');
    const { results, skipped } = parseResults(text);
    expect(results.map((r) => r.task)).toEqual(['t1', 't3']);
    expect(skipped).toBe(2);
  });

  it('reads a missing file as no results', async () => {
    expect(await readResults(join(await tempDir(), 'results.jsonl'))).toEqual({ results: [], skipped: 0 });
  });

  it('keeps the latest result of a task, so a rerun replaces an error', () => {
    const latest = latestResults([errored('X', 't1'), judged('X', 't1', { solved: true }), judged('Y', 't1', { solved: false })]);
    expect(latest.size).toBe(2);
    expect(latest.get(resultKey('X', 't1'))?.status).toBe('judged');
  });

  it('appends whole lines, and ends a line a crash left open before the next result', async () => {
    const path = join(await tempDir(), 'results.jsonl');
    await writeFile(path, `${JSON.stringify(judged('X', 't1', { solved: true }))}\n{"v":1,"task":"t2"`);
    const writer = await ResultsWriter.open(path);
    await Promise.all([writer.append(judged('X', 't3', { solved: false })), writer.append(judged('X', 't4', { solved: true }))]);
    const { results, skipped } = await readResults(path);
    expect(results.map((r) => r.task)).toEqual(['t1', 't3', 't4']);
    expect(skipped).toBe(1);
    expect((await readFile(path, 'utf8')).endsWith('\n')).toBe(true);
  });
});

describe('eval.json across reruns', () => {
  it('keeps earlier tasks and contestants, adds new ones, and keeps when the eval began', () => {
    const before = manifest(2, ['X']);
    const after = mergeManifest(
      before,
      {
        source: 'other.jsonl',
        settings: { passes: 3, maxTurns: 6 },
        tasks: [
          { id: 't2', prompt: 'Task 2, reworded' },
          { id: 't3', prompt: 'Task 3' },
        ],
        contestants: [{ id: 'Y', pair: 'Y', mode: 'relay', models: { A: 'y', B: 'y' } }],
      },
      new Date('2026-02-01T00:00:00.000Z'),
    );
    expect(after.tasks.map((t) => [t.id, t.prompt])).toEqual([
      ['t1', 'Task 1'],
      ['t2', 'Task 2, reworded'],
      ['t3', 'Task 3'],
    ]);
    expect(after.contestants.map((c) => c.id)).toEqual(['X', 'Y']);
    expect(after).toMatchObject({ source: 'other.jsonl', createdAt: before.createdAt, updatedAt: '2026-02-01T00:00:00.000Z', settings: { passes: 3, maxTurns: 6 } });
  });
});
