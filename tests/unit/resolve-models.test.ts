import { createServer } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError, ScriptedModelServer, resolveModels } from '@duet/server';

async function serverWith(models: string[]): Promise<ScriptedModelServer> {
  const server = await ScriptedModelServer.start({ models, script: () => [] });
  onTestFinished(() => server.close());
  return server;
}

/** A loopback URL where nothing listens: a port taken and released again. */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

/** An endpoint on a server that says nothing about its models: Duet assumes 4096 tokens. */
function plain(id: string, baseUrl: string) {
  return { id, baseUrl, context: { window: 4096, source: 'default' }, server: 'openai-compatible', startsInReasoning: false };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as Error).message;
}

describe('resolveModels', () => {
  it('defaults to the first two ids the server lists', async () => {
    const server = await serverWith(['qwen', 'llama', 'gemma']);
    const models = await resolveModels({ baseUrl: server.baseUrl });
    expect(models).toEqual({ A: plain('qwen', server.baseUrl), B: plain('llama', server.baseUrl) });
  });

  it('uses the one id twice when the server lists only one', async () => {
    const server = await serverWith(['only']);
    const models = await resolveModels({ baseUrl: server.baseUrl });
    expect([models.A.id, models.B.id]).toEqual(['only', 'only']);
  });

  it('takes the ids it is given', async () => {
    const server = await serverWith(['qwen', 'llama', 'gemma']);
    const models = await resolveModels({ baseUrl: server.baseUrl, modelA: 'gemma', modelB: 'qwen' });
    expect([models.A.id, models.B.id]).toEqual(['gemma', 'qwen']);
  });

  it('gives each model its own server when the base URL is overridden per model', async () => {
    const [a, b] = await Promise.all([serverWith(['a1', 'a2']), serverWith(['b1', 'b2'])]);
    const models = await resolveModels({ baseUrl: 'http://127.0.0.1:9/unused', baseUrlA: a.baseUrl, baseUrlB: b.baseUrl });
    expect(models).toEqual({ A: plain('a1', a.baseUrl), B: plain('b1', b.baseUrl) });
  });

  it('passes the API key on to both endpoints', async () => {
    const server = await serverWith(['m']);
    const models = await resolveModels({ baseUrl: server.baseUrl, apiKey: 'sk-test' });
    expect([models.A.apiKey, models.B.apiKey]).toEqual(['sk-test', 'sk-test']);
  });

  it('drops a trailing slash from the base URL', async () => {
    const server = await serverWith(['m']);
    expect((await resolveModels({ baseUrl: `${server.baseUrl}/` })).A.baseUrl).toBe(server.baseUrl);
  });

  it('refuses an unknown model id and lists the ones the server has', async () => {
    const server = await serverWith(['qwen', 'llama']);
    const message = await refusal(resolveModels({ baseUrl: server.baseUrl, modelB: 'gpt-4' }));
    expect(message).toContain('"gpt-4"');
    expect(message).toContain('qwen, llama');
    expect(message).toContain('--model-b');
  });

  it('refuses a server that lists no models and says what to do', async () => {
    const server = await serverWith([]);
    expect(await refusal(resolveModels({ baseUrl: server.baseUrl }))).toMatch(/lists no models.*Load a model/);
  });

  it('names an unreachable URL and mentions /v1', async () => {
    const url = await deadUrl();
    const message = await refusal(resolveModels({ baseUrl: url }));
    expect(message).toContain(url);
    expect(message).toContain('/v1');
    expect(message).toMatch(/connection refused/);
  });

  it('suggests /v1 when the base URL lacks it', async () => {
    const server = await serverWith(['m']);
    const root = server.baseUrl.replace(/\/v1$/, '');
    const message = await refusal(resolveModels({ baseUrl: root }));
    expect(message).toContain(root);
    expect(message).toContain(`try --base-url ${root}/v1`);
  });

  it('asks for the demo server when the base URL is demo and none runs', async () => {
    expect(await refusal(resolveModels({ baseUrl: 'demo' }))).toMatch(/demo/);
  });
});
