import { describe, expect, it, onTestFinished } from 'vitest';
import { ScriptedModelServer, discoverEndpoint, type EndpointInfo } from '@duet/server';
import { llamaCppListing, llamaCppNotFound } from '../support/real-servers/llama-cpp-listing.ts';
import { lmStudioListing, lmStudioNotFound, type LmStudioModel } from '../support/real-servers/lm-studio-listing.ts';
import { startLoopback, whenAborted, type LoopbackServer, type LoopbackServerOptions } from '../support/real-servers/loopback.ts';
import { ollamaListing, ollamaNotFound, type OllamaModel } from '../support/real-servers/ollama-listing.ts';
import { vllmListing, vllmNotFound } from '../support/real-servers/vllm-listing.ts';

const R1_TEMPLATE = "{% if add_generation_prompt %}{{'<｜Assistant｜><think>\\n'}}{% endif %}";

/** LM Studio 0.3 with JIT loading: the embedding model it ships with is listed first. */
const LM_STUDIO_MODELS: LmStudioModel[] = [
  { id: 'text-embedding-nomic-embed-text-v1.5', type: 'embeddings', maxContext: 2048 },
  { id: 'qwen2.5-coder-7b-instruct', type: 'llm', loaded: true, maxContext: 32768, loadedContext: 16384 },
  { id: 'llama-3.2-3b-instruct', type: 'llm', maxContext: 131072 },
];

const OLLAMA_MODELS: OllamaModel[] = [
  { name: 'nomic-embed-text:latest', family: 'nomic-bert', capabilities: ['embedding'], contextLength: 2048 },
  { name: 'llama3.2:latest', family: 'llama', capabilities: ['completion', 'tools'], contextLength: 131072, loaded: true },
  { name: 'qwen2.5-coder:7b', family: 'qwen2', capabilities: ['completion', 'tools'], contextLength: 32768, numCtx: 8192 },
];

async function fake(opts: LoopbackServerOptions): Promise<LoopbackServer> {
  return startLoopback(opts, onTestFinished);
}

/** The facts a test checks, one line per model. */
function facts(info: EndpointInfo) {
  return info.models.map(({ id, type, loaded, contextWindow }) => ({ id, type, loaded, contextWindow }));
}

describe('discoverEndpoint', () => {
  it('finds LM Studio, its embedding model, which model is loaded and that model’s loaded context', async () => {
    const server = await fake({ routes: lmStudioListing(LM_STUDIO_MODELS), notFound: lmStudioNotFound });
    const info = await discoverEndpoint(`${server.origin}/v1`);
    expect(info.kind).toBe('lmstudio');
    expect(facts(info)).toEqual([
      { id: 'text-embedding-nomic-embed-text-v1.5', type: 'embedding', loaded: false, contextWindow: null },
      { id: 'qwen2.5-coder-7b-instruct', type: 'llm', loaded: true, contextWindow: 16384 },
      // Not loaded: a JIT load uses LM Studio's default, not the 131072 it could take.
      { id: 'llama-3.2-3b-instruct', type: 'llm', loaded: false, contextWindow: null },
    ]);
  });

  it.each([
    { version: '0.11.4', llama: 4096, why: 'the default since 0.6.7' },
    { version: '0.5.7', llama: 2048, why: 'the default before 0.6.7' },
  ])('finds Ollama $version and the window /v1 gets: num_ctx where the Modelfile sets it, else $llama ($why)', async ({ version, llama }) => {
    const server = await fake({ routes: ollamaListing(OLLAMA_MODELS, { version }), notFound: ollamaNotFound });
    const info = await discoverEndpoint(`${server.origin}/v1`);
    expect(info.kind).toBe('ollama');
    expect(facts(info)).toEqual([
      { id: 'nomic-embed-text:latest', type: 'embedding', loaded: false, contextWindow: null },
      { id: 'llama3.2:latest', type: 'llm', loaded: true, contextWindow: llama },
      { id: 'qwen2.5-coder:7b', type: 'llm', loaded: false, contextWindow: 8192 },
    ]);
  });

  it('reads the window of Ollama 0.15.5 and later from /api/ps, where the default depends on the GPU', async () => {
    const models: OllamaModel[] = [
      { name: 'llama3.2:latest', family: 'llama', capabilities: ['completion'], contextLength: 131072, loaded: true, runningContext: 32768 },
      { name: 'gemma3:4b', family: 'gemma3', capabilities: ['completion'], contextLength: 131072 },
    ];
    const server = await fake({ routes: ollamaListing(models, { version: '0.15.6' }), notFound: ollamaNotFound });
    expect(facts(await discoverEndpoint(`${server.origin}/v1`)).map((m) => m.contextWindow)).toEqual([32768, null]);
  });

  it('finds llama.cpp, its one path-named model, the slot’s context and an R1 template that opens reasoning', async () => {
    const path = '/models/DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf';
    const server = await fake({ routes: llamaCppListing({ path, nCtx: 8192, nCtxTrain: 131072, chatTemplate: R1_TEMPLATE }), notFound: llamaCppNotFound });
    const info = await discoverEndpoint(`${server.origin}/v1`);
    expect(info).toEqual({
      kind: 'llamacpp',
      models: [{ id: path, type: 'unknown', loaded: true, contextWindow: 8192, contextLimit: 131072, startsInReasoning: true }],
    });
  });

  it('finds vLLM and its max_model_len from the listing alone', async () => {
    const server = await fake({ routes: vllmListing([{ id: 'Qwen/Qwen2.5-Coder-7B-Instruct', maxModelLen: 32768 }]), notFound: vllmNotFound });
    const info = await discoverEndpoint(`${server.origin}/v1`);
    expect(info.kind).toBe('vllm');
    expect(facts(info)).toEqual([{ id: 'Qwen/Qwen2.5-Coder-7B-Instruct', type: 'unknown', loaded: true, contextWindow: 32768 }]);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models']);
  });

  it('calls any other server OpenAI-compatible and leaves what it did not say unknown', async () => {
    const server = await ScriptedModelServer.start({ models: ['model-a', 'model-b'], script: () => [] });
    onTestFinished(() => server.close());
    const info = await discoverEndpoint(server.baseUrl);
    expect(info.kind).toBe('openai-compatible');
    expect(facts(info)).toEqual([
      { id: 'model-a', type: 'unknown', loaded: null, contextWindow: null },
      { id: 'model-b', type: 'unknown', loaded: null, contextWindow: null },
    ]);
  });

  it('takes an extra request that never answers, or answers garbage, as unknown, not as an error', async () => {
    const server = await fake({
      routes: {
        'GET /v1/models': ({ res }) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ object: 'list', data: [{ id: 'm', object: 'model', owned_by: 'someone' }] }));
        },
        'GET /props': ({ signal }) => whenAborted(signal),
        'GET /api/v0/models': ({ res }) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end('{"data": [');
        },
        'GET /api/version': ({ res }) => {
          res.writeHead(500);
          res.end();
        },
      },
    });
    const info = await discoverEndpoint(`${server.origin}/v1`, undefined, { timeoutMs: 200 });
    expect(info).toEqual({ kind: 'openai-compatible', models: [{ id: 'm', type: 'unknown', loaded: null, contextWindow: null, startsInReasoning: false }] });
  });

  it('sends the API key to the server’s own endpoints too', async () => {
    const server = await fake({ routes: lmStudioListing(LM_STUDIO_MODELS), notFound: lmStudioNotFound });
    await discoverEndpoint(`${server.origin}/v1`, 'sk-lm');
    expect(server.requestsTo('GET', '/api/v0/models').map((r) => r.headers.authorization)).toEqual(['Bearer sk-lm']);
  });
});
