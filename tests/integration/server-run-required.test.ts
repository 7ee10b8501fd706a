import { describe, expect, it } from 'vitest';
import type { NotebookSnapshot } from '@duet/server/protocol';
import { startTestServer, type TestServer } from '../support/duet-server.ts';
import { answer, chunked, startModels } from '../support/model-answers.ts';

const PASSING = answer({
  prose: 'A small function and two tests.',
  code: 'def double(x):\n    return 2 * x',
  tests: ['assert double(2) == 4', 'assert double(-1) == -2'],
});

const halted = (nb: NotebookSnapshot): boolean => nb.run.halted !== null && !nb.run.active;

async function serverWithNotebook(name: string): Promise<TestServer> {
  const models = await startModels(chunked(() => PASSING));
  const t = await startTestServer({ config: { baseUrl: models.baseUrl } });
  expect((await t.api('POST', '/api/notebooks', { body: { name } })).status).toBe(201);
  return t;
}

describe('how many green tests a run requires', () => {
  it('is `required` in an HTTP run request', async () => {
    const t = await serverWithNotebook('http');
    const client = await t.connect('http');
    const res = await t.api('POST', '/api/notebooks/http/runs', { body: { prompt: 'Write double(x).', modelA: 'model-a', modelB: 'model-b', required: 1 } });
    expect(res.status).toBe(202);
    await client.until(halted);
    expect(client.nb.meta.runs[0]).toMatchObject({ required: 1, passes: 1, halted: 'tests-passed' });
  });

  it('is still accepted under its old name, passes, in start-run', async () => {
    const t = await serverWithNotebook('ws');
    const client = await t.connect('ws');
    client.send({ type: 'start-run', prompt: 'Write double(x).', modelA: 'model-a', modelB: 'model-b', passes: 1 });
    await client.until(halted);
    expect(client.nb.meta.runs[0]).toMatchObject({ required: 1, passes: 1 });
  });

  it('is refused when a request gives required and passes as two different numbers', async () => {
    const t = await serverWithNotebook('both');
    const res = await t.api('POST', '/api/notebooks/both/runs', { body: { prompt: 'Write double(x).', required: 1, passes: 2 } });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: expect.stringMatching(/passes is the old name of required, so give required only/) });
  });
});
