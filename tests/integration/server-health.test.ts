import { createServer } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ScriptedModelServer } from '@duet/server';
import type { Health } from '@duet/server/protocol';
import { startTestServer } from '../support/duet-server.ts';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('GET /api/health', () => {
  it('reports the model servers unreachable when only model B’s endpoint is down, and names that one', async () => {
    const models = await ScriptedModelServer.start({ models: ['model-a'], script: () => [] });
    onTestFinished(() => models.close());
    const down = `http://127.0.0.1:${await closedPort()}/v1`;
    const t = await startTestServer({ config: { baseUrl: models.baseUrl, baseUrlB: down } });

    const health = await (await t.api('GET', '/api/health')).json<Health>();

    expect(health.model.reachable).toBe(false);
    expect(health.model.baseUrl).toBe(down);
    expect(health.model.error).toContain(down);
  });

  it('reports them reachable when both answer', async () => {
    const models = await ScriptedModelServer.start({ models: ['model-a', 'model-b'], script: () => [] });
    onTestFinished(() => models.close());
    const t = await startTestServer({ config: { baseUrl: models.baseUrl } });

    const health = await (await t.api('GET', '/api/health')).json<Health>();

    expect(health.model).toEqual({ baseUrl: models.baseUrl, reachable: true });
  });
});
