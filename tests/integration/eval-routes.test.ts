/** `/api/evals` on a real server: the eval folders it finds, their scoreboards, and only their own notebooks. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { EvalListEntry, EvalReport } from '@duet/server/protocol';
import { startTestServer } from '../support/duet-server.ts';
import { judged, manifest, writeEvalFolder } from '../support/eval-fixtures.ts';

describe('the evals API', () => {
  it('finds eval folders in the notebooks folder and in --evals, and serves each one’s scoreboard and notebooks', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'duet-evals-'));
    onTestFinished(() => rm(elsewhere, { recursive: true, force: true }));
    await writeEvalFolder(join(elsewhere, 'weekly'), manifest(1, ['a,b']), [judged('a,b', 't1', { solved: true })]);
    await writeFile(join(elsewhere, 'secret.txt'), 'not for the browser');
    const t = await startTestServer({ config: { evals: elsewhere } });
    await writeEvalFolder(join(t.dir, 'nightly'), manifest(2, ['a,b', 'a,a']), [judged('a,b', 't1', { solved: true }), judged('a,a', 't1', { solved: false, claimed: true })]);

    const list = (await t.api('GET', '/api/evals')).json<EvalListEntry[]>();
    expect(list.map((e) => [e.name, e.done, e.total, e.contestants])).toEqual([
      ['weekly', 1, 1, ['a,b']],
      ['nightly', 2, 4, ['a,b', 'a,a']],
    ]);

    const report = (await t.api('GET', '/api/evals/nightly')).json<EvalReport>();
    expect(report.contestants.map((c) => [c.id, c.solved, c.falseGreens])).toEqual([
      ['a,b', 1, 0],
      ['a,a', 0, 1],
    ]);

    const notebook = await t.api('GET', `/api/evals/nightly/notebook?path=${encodeURIComponent('notebooks/a,a/t1.ipynb')}`);
    expect(notebook.status).toBe(200);
    expect(notebook.json<{ nbformat: number }>().nbformat).toBe(4);
  });

  it.each([
    { name: 'an eval that is not there', path: '/api/evals/nope', status: 404, says: /There is no eval "nope"/ },
    { name: 'a file of the folder that no result names', path: `/api/evals/nightly/notebook?path=${encodeURIComponent('eval.json')}`, status: 404, says: /has no notebook "eval.json"/ },
    { name: 'a path out of the folder', path: `/api/evals/nightly/notebook?path=${encodeURIComponent('../../secret.txt')}`, status: 404, says: /has no notebook/ },
    { name: 'no path at all', path: '/api/evals/nightly/notebook', status: 400, says: /Say which notebook/ },
  ])('refuses $name', async ({ path, status, says }) => {
    const t = await startTestServer();
    await writeEvalFolder(join(t.dir, 'nightly'), manifest(1, ['a,b']), [judged('a,b', 't1', { solved: true })]);
    const res = await t.api('GET', path);
    expect(res.status).toBe(status);
    expect(res.json<{ error: string }>().error).toMatch(says);
  });

  it('needs the access token', async () => {
    const t = await startTestServer();
    expect((await t.api('GET', '/api/evals', { token: null })).status).toBe(401);
  });
});
