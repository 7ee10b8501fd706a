import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromIpynb } from '@duet/server';
import type { NotebookSnapshot } from '@duet/server/protocol';
import { cellsOf, startTestServer, type TestServer } from '../support/duet-server.ts';
import { contentChunks } from '@duet/server';
import { answer, chunked, startModels } from '../support/model-answers.ts';

const PASSING = answer({
  prose: 'A small function and two tests.',
  code: 'def double(x):\n    return 2 * x\nprint("ready")',
  tests: ['assert double(2) == 4', 'assert double(-1) == -2'],
});

async function serverWithModels(text: (prompt: string, model: string) => string): Promise<TestServer> {
  const models = await startModels(chunked(text));
  return startTestServer({ config: { baseUrl: models.baseUrl } });
}

async function createNotebook(t: TestServer, name: string): Promise<void> {
  const res = await t.api('POST', '/api/notebooks', { body: { name } });
  expect(res.status).toBe(201);
}

async function savedCells(t: TestServer, name: string): Promise<unknown[]> {
  const doc = fromIpynb(name, JSON.parse(await readFile(join(t.dir, `${name}.ipynb`), 'utf8')));
  return cellsOf(doc.snapshot());
}

const halted = (nb: NotebookSnapshot): boolean => nb.run.halted !== null && !nb.run.active;

describe('a run over the HTTP API and the WebSocket', () => {
  it('streams cells to the browser and saves the same notebook to disk', async () => {
    const t = await serverWithModels(() => PASSING);
    await createNotebook(t, 'first');
    const client = await t.connect('first');

    const res = await t.api('POST', '/api/notebooks/first/runs', { body: { prompt: 'Write double(x).', modelA: 'model-a', modelB: 'model-b' } });
    expect(res.status).toBe(202);
    await client.until(halted);

    expect(client.nb.run.halted).toBe('tests-passed');
    expect(client.nb.meta.passes).toBe(2);
    const tests = client.nb.cells.filter((c) => c.duet.role === 'test');
    expect(tests.map((c) => c.duet.test?.status)).toEqual(['passed', 'passed']);
    expect(client.nb.cells.find((c) => c.duet.role === 'code')?.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'ready\n' }]);
    await expect.poll(() => savedCells(t, 'first')).toEqual(cellsOf(client.nb));
    expect(client.protocolFaults).toEqual([]);
  });

  it('keeps two browsers on one notebook in step, and gives a reconnecting one a fresh snapshot', async () => {
    const t = await serverWithModels(() => PASSING);
    await createNotebook(t, 'shared');
    const one = await t.connect('shared');
    const two = await t.connect('shared');

    one.send({ type: 'start-run', prompt: 'Write double(x).', modelA: 'model-a', modelB: 'model-b' });
    await Promise.all([one.until(halted), two.until(halted)]);
    expect(cellsOf(two.nb)).toEqual(cellsOf(one.nb));
    expect(two.nb.meta).toEqual(one.nb.meta);

    two.close();
    await two.closed();
    one.send({ type: 'add-cell', index: 0, cellType: 'markdown' });
    await one.until((nb) => nb.cells.length === two.nb.cells.length + 1);

    const again = await t.connect('shared');
    expect(cellsOf(again.nb)).toEqual(cellsOf(one.nb));
    expect(again.messages[0]?.type).toBe('snapshot');
  });

  it('stops a run on request, keeping what was streamed and leaving the model connection closed', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const models = await startModels(() => [
      { type: 'content', text: 'Working on it.\n\nRUN-CODE\n```python\nx = 1\n' },
      { type: 'wait', until: gate },
      { type: 'content', text: '```\n' },
    ]);
    const t = await startTestServer({ config: { baseUrl: models.baseUrl } });
    await createNotebook(t, 'stoppable');
    const client = await t.connect('stoppable');
    client.send({ type: 'start-run', prompt: 'Anything.', modelA: 'model-a', modelB: 'model-b' });
    const streaming = (nb: NotebookSnapshot) => nb.cells.some((c) => c.source.includes('x = 1') && nb.runtime[c.id]?.phase === 'streaming');
    await client.until(streaming);

    const res = await t.api('POST', '/api/notebooks/stoppable/stop');
    expect(res.status).toBe(202);
    await client.until(halted);
    release();

    expect(client.nb.run.halted).toBe('stopped');
    expect(client.nb.cells.some((c) => c.source.includes('Working on it.'))).toBe(true);
    await models.whenAllStreamsClosed();
    expect(models.exchanges[0]?.outcome).toBe('client-closed');
    await expect.poll(() => savedCells(t, 'stoppable')).toEqual(cellsOf(client.nb));
  });

  it('refuses to let a browser edit the cell a model is writing into', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const models = await startModels(() => [{ type: 'content', text: 'RUN-CODE\n```python\ny = 2\n' }, { type: 'wait', until: gate }, { type: 'content', text: '```\n' }]);
    const t = await startTestServer({ config: { baseUrl: models.baseUrl } });
    await createNotebook(t, 'busy');
    const client = await t.connect('busy');
    client.send({ type: 'start-run', prompt: 'Anything.', modelA: 'model-a', modelB: 'model-b' });
    await client.until((nb) => nb.cells.some((c) => c.source.includes('y = 2')));
    const cell = client.nb.cells.find((c) => c.source.includes('y = 2'));

    const refused = client.nextError();
    client.send({ type: 'edit-source', id: cell?.id ?? '', source: 'y = 99' });
    expect(await refused).toMatch(/model is writing this cell/);
    release();
    await client.until(halted);
    expect(client.nb.cells.find((c) => c.id === cell?.id)?.source).toContain('y = 2');
  });

  it('re-runs a test cell edited by hand: its status and the green count follow', async () => {
    const t = await serverWithModels(() => PASSING);
    await createNotebook(t, 'edits');
    const client = await t.connect('edits');
    client.send({ type: 'start-run', prompt: 'Write double(x).', modelA: 'model-a', modelB: 'model-b' });
    await client.until(halted);
    const test = client.nb.cells.find((c) => c.duet.role === 'test');
    const id = test?.id ?? '';

    client.send({ type: 'edit-source', id, source: 'assert double(2) == 5' });
    client.send({ type: 'run-cell', id });
    await client.until((nb) => nb.cells.find((c) => c.id === id)?.duet.test?.status === 'failed' && nb.runtime[id]?.phase === 'idle');
    // The green count is what is green now; the run's own record keeps what it achieved.
    await client.until((nb) => nb.run.passes === 1);
    expect(client.nb.meta.runs[0]?.passes).toBe(2);

    client.send({ type: 'edit-source', id, source: 'assert double(2) == 4' });
    const run = await t.api('POST', `/api/notebooks/edits/cells/${id}/run`);
    expect(run.status).toBe(202);
    await client.until((nb) => nb.cells.find((c) => c.id === id)?.duet.test?.status === 'passed');
    await client.until((nb) => nb.run.passes === 2);
    await expect.poll(() => savedCells(t, 'edits')).toEqual(cellsOf(client.nb));
  });

  it('answers a malformed or impossible command with an error message and keeps serving', async () => {
    const t = await startTestServer();
    await createNotebook(t, 'robust');
    const client = await t.connect('robust');
    const cases: { name: string; send: string | Record<string, unknown>; error: RegExp }[] = [
      { name: 'not JSON', send: '{oops', error: /not valid JSON/ },
      { name: 'unknown type', send: { type: 'format-disk' }, error: /Refused command "format-disk"/ },
      { name: 'missing field', send: { type: 'run-cell' }, error: /Refused command "run-cell" \(id\)/ },
      { name: 'extra field', send: { type: 'stop', now: true }, error: /Refused command "stop"/ },
      { name: 'unknown cell', send: { type: 'run-cell', id: 'nope' }, error: /no cell "nope"/ },
      { name: 'empty prompt', send: { type: 'start-run', prompt: '  ' }, error: /prompt is empty/ },
    ];
    for (const c of cases) {
      const next = client.nextError();
      client.ws.send(typeof c.send === 'string' ? c.send : JSON.stringify(c.send));
      expect(await next, c.name).toMatch(c.error);
    }
    client.send({ type: 'add-cell', index: 0, cellType: 'code' });
    await client.until((nb) => nb.cells.length === 1);
    expect(client.protocolFaults).toEqual([]);
  });

  it('interrupts a running cell, runs all cells and restarts the kernel over HTTP', async () => {
    const t = await startTestServer();
    await createNotebook(t, 'kernel');
    const client = await t.connect('kernel');
    const addCode = async (index: number, source: string): Promise<string> => {
      const before = client.nb.cells.length;
      client.send({ type: 'add-cell', index, cellType: 'code' });
      await client.until((nb) => nb.cells.length === before + 1);
      const id = client.nb.cells[index]?.id ?? '';
      client.send({ type: 'edit-source', id, source });
      await client.until((nb) => nb.cells[index]?.source === source);
      return id;
    };
    const slow = await addCode(0, 'import time\ntime.sleep(60)');
    const setA = await addCode(1, 'a = 5\nprint(a)');
    const phase = (id: string) => (nb: NotebookSnapshot) => nb.runtime[id]?.phase;

    expect((await t.api('POST', `/api/notebooks/kernel/cells/${slow}/run`)).status).toBe(202);
    await client.until((nb) => phase(slow)(nb) === 'running');
    expect((await t.api('POST', '/api/notebooks/kernel/kernel/interrupt')).status).toBe(200);
    await client.until((nb) => phase(slow)(nb) === 'idle');
    expect(client.nb.cells[0]?.outputs.some((o) => o.output_type === 'error' && o.ename === 'KeyboardInterrupt')).toBe(true);

    client.send({ type: 'edit-source', id: slow, source: 'b = 1' });
    expect((await t.api('POST', '/api/notebooks/kernel/run-all')).status).toBe(202);
    await client.until((nb) => nb.cells[1]?.outputs[0]?.output_type === 'stream' && phase(setA)(nb) === 'idle');

    const restarted = await t.api('POST', '/api/notebooks/kernel/kernel/restart');
    expect(restarted.json()).toEqual({ kernel: 'idle' });
    const check = await addCode(2, 'print(a)');
    client.send({ type: 'run-cell', id: check });
    await client.until((nb) => nb.cells[2]?.outputs.some((o) => o.output_type === 'error') ?? false);
    expect(client.nb.cells[2]?.outputs[0]).toMatchObject({ output_type: 'error', ename: 'NameError' });
    expect((await t.api('POST', '/api/notebooks/nothing-here/stop')).status).toBe(404);
  });

  it('continues and retries over HTTP, answers 409 when there is nothing to go on with, and keeps each run in the metadata', async () => {
    let calls = 0;
    const models = await startModels(() => {
      calls += 1;
      const text = calls === 1 ? answer({ code: 'def double(x):\n    return x + x' }) : calls === 2 ? answer({ tests: ['assert double(2) == 5'] }) : answer({ tests: ['assert double(2) == 4', 'assert double(0) == 0'] });
      return contentChunks(text, 7);
    });
    const t = await startTestServer({ config: { baseUrl: models.baseUrl } });
    await createNotebook(t, 'resume');
    expect((await t.api('POST', '/api/notebooks/resume/continue', { body: {} })).status).toBe(409);
    const client = await t.connect('resume');
    client.send({ type: 'start-run', prompt: 'Write double(x).', modelA: 'model-a', modelB: 'model-b', maxTurns: 1 });
    await client.until((nb) => halted(nb) && nb.meta.runs.length === 1);

    expect((await t.api('POST', '/api/notebooks/resume/continue', { body: { maxTurns: 1 } })).status).toBe(202);
    await client.until((nb) => halted(nb) && nb.meta.runs.length === 2);
    expect(models.requests.map((r) => r.model)).toEqual(['model-a', 'model-b']);

    expect((await t.api('POST', '/api/notebooks/resume/retry')).status).toBe(202);
    await client.until((nb) => halted(nb) && nb.meta.runs.length === 3);
    expect(models.requests.map((r) => r.model)).toEqual(['model-a', 'model-b', 'model-b']);
    expect(client.nb.meta.runs.map((r) => [r.kind, r.halted])).toEqual([
      ['new', 'max-turns'],
      ['continue', 'max-turns'],
      ['retry', 'tests-passed'],
    ]);
    expect(client.nb.cells.filter((c) => c.duet.discarded).map((c) => c.source)).toContain('assert double(2) == 5');
  });

  it('makes tests below an edited code cell stale, and a deleted conversation start moves to the next cell', async () => {
    const t = await serverWithModels(() => PASSING);
    await createNotebook(t, 'stale');
    const client = await t.connect('stale');
    client.send({ type: 'start-run', prompt: 'Write double(x).', modelA: 'model-a', modelB: 'model-b' });
    await client.until(halted);
    const code = client.nb.cells.find((c) => c.duet.role === 'code');
    client.send({ type: 'edit-source', id: code?.id ?? '', source: 'def double(x):\n    return 3 * x' });
    await client.until((nb) => nb.cells.filter((c) => c.duet.role === 'test').every((c) => c.duet.test?.status === 'stale'));
    await client.until((nb) => nb.run.passes === 0);
    expect(client.nb.cells.find((c) => c.id === code?.id)?.duet.edited).toBe(true);

    client.send({ type: 'new-conversation' });
    await client.until((nb) => nb.meta.contextFrom === '');
    client.send({ type: 'start-run', prompt: 'Something new.', modelA: 'model-a', modelB: 'model-b', maxTurns: 1 });
    await client.until((nb) => halted(nb) && nb.meta.runs.length === 2);
    const start = client.nb.meta.contextFrom;
    const index = client.nb.cells.findIndex((c) => c.id === start);
    expect(client.nb.cells[index]?.source).toBe('Something new.');
    client.send({ type: 'delete-cell', id: start ?? '' });
    await client.until((nb) => nb.meta.contextFrom === nb.cells[index]?.id);
  });
});
