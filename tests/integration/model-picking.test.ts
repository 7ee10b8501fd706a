import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError, resolveModels, resolveRunModels, type ModelContext } from '@duet/server';
import type { ModelList } from '@duet/server/protocol';
import { startTestServer } from '../support/duet-server.ts';
import { lmStudioListing, lmStudioNotFound, type LmStudioModel } from '../support/real-servers/lm-studio-listing.ts';
import { llamaCppListing, llamaCppNotFound } from '../support/real-servers/llama-cpp-listing.ts';
import { sendJson, startLoopback, type LoopbackServer, type RouteHandler } from '../support/real-servers/loopback.ts';
import { ollamaListing, ollamaNotFound, type OllamaModel } from '../support/real-servers/ollama-listing.ts';

/** LM Studio 0.3 with JIT loading on: the embedding model it ships with is listed first, one chat model is loaded. */
const LM_STUDIO_MODELS: LmStudioModel[] = [
  { id: 'text-embedding-nomic-embed-text-v1.5', type: 'embeddings', maxContext: 2048 },
  { id: 'llama-3.2-3b-instruct', type: 'llm', maxContext: 131072 },
  { id: 'qwen2.5-coder-7b-instruct', type: 'llm', loaded: true, maxContext: 32768, loadedContext: 16384 },
];

const OLLAMA_MODELS: OllamaModel[] = [
  { name: 'nomic-embed-text:latest', family: 'nomic-bert', capabilities: ['embedding'], contextLength: 2048 },
  { name: 'llama3.2:latest', family: 'llama', capabilities: ['completion', 'tools'], contextLength: 131072 },
  { name: 'qwen2.5-coder:7b', family: 'qwen2', capabilities: ['completion', 'tools'], contextLength: 32768, numCtx: 8192 },
  { name: 'gemma3:4b', family: 'gemma3', capabilities: ['completion'], contextLength: 131072 },
];

const lmStudio = (): Promise<LoopbackServer> => startLoopback({ routes: lmStudioListing(LM_STUDIO_MODELS), notFound: lmStudioNotFound }, onTestFinished);
const ollama = (models = OLLAMA_MODELS): Promise<LoopbackServer> => startLoopback({ routes: ollamaListing(models), notFound: ollamaNotFound }, onTestFinished);

/** What `duet serve` passes per run, for one base URL (or two). */
function serveContext(baseUrl: string, more: Partial<ModelContext['config']> = {}): ModelContext {
  return { config: { baseUrl, ...more }, demoModels: ['demo-a', 'demo-b'], demoBaseUrl: 'http://127.0.0.1:9/demo/v1', demoApiKey: 'token' };
}

/** The two chat models an LM Studio with its embedding model listed first should give, by either command. */
const LM_STUDIO_PICK = {
  A: { id: 'qwen2.5-coder-7b-instruct', context: { window: 16384, source: 'server' }, server: 'lmstudio', startsInReasoning: false },
  B: { id: 'llama-3.2-3b-instruct', context: { window: 4096, source: 'default' }, server: 'lmstudio', startsInReasoning: false },
};

describe('duet run and duet serve pick models by one rule', () => {
  it.each([
    { command: 'duet run', resolve: (url: string) => resolveModels({ baseUrl: url }) },
    { command: 'duet serve', resolve: (url: string) => resolveRunModels(serveContext(url), {}) },
  ])('$command picks two chat models from an LM Studio that lists its embedding model first, the loaded one first', async ({ resolve }) => {
    const server = await lmStudio();
    const models = await resolve(`${server.origin}/v1`);
    expect(models).toMatchObject(LM_STUDIO_PICK);
  });

  it.each([
    { command: 'duet run', resolve: (a: string, b: string) => resolveModels({ baseUrl: a, baseUrlB: b }) },
    { command: 'duet serve', resolve: (a: string, b: string) => resolveRunModels(serveContext(a, { baseUrlB: b }), {}) },
  ])('$command gives each of two servers’ slots that server’s own first chat model', async ({ resolve }) => {
    const [lm, ol] = await Promise.all([lmStudio(), ollama()]);
    const models = await resolve(`${lm.origin}/v1`, `${ol.origin}/v1`);
    expect([models.A.id, models.B.id]).toEqual(['qwen2.5-coder-7b-instruct', 'llama3.2:latest']);
    expect([models.A.server, models.B.server]).toEqual(['lmstudio', 'ollama']);
  });

  it('takes Ollama’s untagged id as the listed :latest, and asks /api/show only about the two models chosen', async () => {
    const server = await ollama();
    const models = await resolveModels({ baseUrl: `${server.origin}/v1`, modelA: 'llama3.2' });
    expect(models).toMatchObject({
      A: { id: 'llama3.2:latest', context: { window: 4096, source: 'server' }, server: 'ollama' },
      B: { id: 'qwen2.5-coder:7b', context: { window: 8192, source: 'server' }, server: 'ollama' },
    });
    expect(server.requestsTo('POST', '/api/show').map((r) => (r.body as { model: string }).model).sort()).toEqual(['llama3.2:latest', 'qwen2.5-coder:7b']);
  });

  it('replaces a chosen Ollama model that /api/show reveals to be an embedding model', async () => {
    // Nothing in its name or family gives it away; only its capabilities do.
    const server = await ollama([{ name: 'vectors:latest', family: 'qwen3', capabilities: ['embedding'], contextLength: 32768 }, ...OLLAMA_MODELS.slice(1)]);
    const models = await resolveModels({ baseUrl: `${server.origin}/v1` });
    expect([models.A.id, models.B.id]).toEqual(['llama3.2:latest', 'qwen2.5-coder:7b']);
  });

  it('waits, for duet run, while llama.cpp answers 503 "Loading model", then picks its model', async () => {
    const path = '/models/qwen2.5-coder-7b-instruct-q4_k_m.gguf';
    const routes = llamaCppListing({ path, nCtx: 8192, nCtxTrain: 32768 });
    const list = routes['GET /v1/models'] as RouteHandler;
    let loading = true;
    const server = await startLoopback(
      {
        routes: {
          ...routes,
          'GET /v1/models': (ctx) => {
            if (!loading) return list(ctx);
            loading = false;
            sendJson(ctx.res, 503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
          },
        },
        notFound: llamaCppNotFound,
      },
      onTestFinished,
    );
    const models = await resolveModels({ baseUrl: `${server.origin}/v1`, firstTokenTimeout: 60 });
    expect(models.A).toMatchObject({ id: path, server: 'llamacpp', context: { window: 8192, source: 'server' } });
    expect(server.requestsTo('GET', '/v1/models')).toHaveLength(2);
  });

  it('lets the --context-a flag win over what the server says', async () => {
    const server = await lmStudio();
    const models = await resolveModels({ baseUrl: `${server.origin}/v1`, contextA: 12000 });
    expect(models.A.context).toEqual({ window: 12000, source: 'flag' });
  });

  it.each([
    { command: 'duet run', refuse: (url: string) => resolveModels({ baseUrl: url, modelB: 'gpt-4' }), as: (e: unknown) => expect(e).toBeInstanceOf(ConfigError) },
    { command: 'duet serve', refuse: (url: string) => resolveRunModels(serveContext(url), { modelB: 'gpt-4' }), as: (e: unknown) => expect(e).toMatchObject({ status: 400 }) },
  ])('$command refuses an id that is not there and names the chat models that are', async ({ refuse, as }) => {
    const server = await lmStudio();
    const err = await refuse(`${server.origin}/v1`).then(
      () => undefined,
      (e: unknown) => e,
    );
    as(err);
    expect((err as Error).message).toContain('Model B "gpt-4" is not served');
    expect((err as Error).message).toContain('qwen2.5-coder-7b-instruct, llama-3.2-3b-instruct');
  });

  it.each([
    { command: 'duet run', refuse: (url: string) => resolveModels({ baseUrl: url, modelA: 'text-embedding-nomic-embed-text-v1.5' }), advice: '--model-a' },
    { command: 'duet serve', refuse: (url: string) => resolveRunModels(serveContext(url), { modelA: 'text-embedding-nomic-embed-text-v1.5' }), advice: 'Pick another model' },
  ])('$command refuses an embedding model asked for, saying it cannot chat', async ({ refuse, advice }) => {
    const server = await lmStudio();
    await expect(refuse(`${server.origin}/v1`)).rejects.toThrow(new RegExp(`is an embedding model: it turns text into vectors and cannot chat\\..*${advice}`));
  });

  it('serves the demo models with their 8192-token window, from any slot', async () => {
    const server = await lmStudio();
    const models = await resolveRunModels(serveContext(`${server.origin}/v1`), { modelB: 'demo-b' });
    expect(models.B).toEqual({ id: 'demo-b', baseUrl: 'http://127.0.0.1:9/demo/v1', apiKey: 'token', label: 'demo', context: { window: 8192, source: 'server' }, server: 'demo', startsInReasoning: false });
    expect(models.A.id).toBe('qwen2.5-coder-7b-instruct');
  });
});

describe('GET /api/models', () => {
  it('offers the picker LM Studio’s chat models, loaded first, and describes every listed model', async () => {
    const server = await lmStudio();
    const t = await startTestServer({ config: { baseUrl: `${server.origin}/v1` } });
    const list = await (await t.api('GET', '/api/models')).json<ModelList>();
    expect(list.endpoints[0]).toEqual({
      slot: 'A',
      baseUrl: `${server.origin}/v1`,
      models: ['qwen2.5-coder-7b-instruct', 'llama-3.2-3b-instruct'],
      details: [
        { id: 'text-embedding-nomic-embed-text-v1.5', type: 'embedding', loaded: false, contextWindow: null },
        { id: 'llama-3.2-3b-instruct', type: 'llm', loaded: false, contextWindow: null },
        { id: 'qwen2.5-coder-7b-instruct', type: 'llm', loaded: true, contextWindow: 16384 },
      ],
      server: 'lmstudio',
    });
  });
});
