import { describe, expect, it, onTestFinished } from 'vitest';
import { streamChat, type ChatMessage, type StreamChatOptions } from '@duet/server';
import { sendJson, type Routes } from '../support/real-servers/loopback.ts';
import { collect, deferred, modelError, startChat, textOf } from '../support/real-servers/collect-chat.ts';
import type { ChatScript } from '../support/real-servers/scripted-chat.ts';
import { vllmChat, type VllmError, type VllmStep, type VllmVersion } from '../support/real-servers/vllm-chat.ts';

const ASK: ChatMessage[] = [
  { role: 'system', content: 'You write Python.' },
  { role: 'user', content: 'Write fib.' },
];
const MODEL = 'Qwen/Qwen3-8B';

/** vLLM's `GET /v1/models`, for the requests that ask which models exist. */
const LISTING: Routes = {
  'GET /v1/models': ({ res }) =>
    sendJson(res, 200, { object: 'list', data: [{ id: MODEL, object: 'model', created: 1760000000, owned_by: 'vllm', root: MODEL, parent: null, max_model_len: 4096 }] }),
};

async function startVllm(script: ChatScript<VllmStep>, version?: VllmVersion) {
  return startChat({ ...vllmChat(script, version === undefined ? {} : { version }), ...LISTING }, onTestFinished);
}

function ask(baseUrl: string, extra: Partial<StreamChatOptions> = {}): StreamChatOptions {
  return { baseUrl, model: MODEL, messages: ASK, ...extra };
}

describe('streamChat against vLLM (0.6 to 0.11)', () => {
  it.each<{ version: VllmVersion }>([{ version: '0.10.1' }, { version: '0.11' }])(
    'streams reasoning from the field vLLM $version uses, content, and the usage with the prompt tokens',
    async ({ version }) => {
      const { baseUrl } = await startVllm(
        () => [
          { type: 'reasoning', text: 'Think.' },
          { type: 'content', text: 'def fib(n):' },
          { type: 'finish', reason: 'stop', promptTokens: 900 },
        ],
        version,
      );
      const { deltas, error } = await collect(streamChat(ask(baseUrl)));
      expect(error).toBeUndefined();
      expect(deltas).toEqual([
        { type: 'reasoning', text: 'Think.' },
        { type: 'content', text: 'def fib(n):' },
        { type: 'finish', reason: 'stop', usage: { promptTokens: 900, completionTokens: 2 } },
      ]);
    },
  );

  it('gives the name of a streamed tool call as soon as its arguments begin', async () => {
    const gate = deferred();
    const { baseUrl } = await startVllm(() => [
      { type: 'tool-call', index: 0, id: 'chatcmpl-tool-1', name: 'python' },
      { type: 'tool-call', index: 0, arguments: '{"code": ' },
      { type: 'wait', until: gate.promise },
      { type: 'tool-call', index: 0, arguments: '"print(1)"}' },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    const seen: string[] = [];
    for await (const delta of streamChat(ask(baseUrl))) {
      seen.push(delta.type === 'tool-call' ? `tool-call ${delta.name}` : delta.type);
      // The name arrived while the server still holds the rest of the call.
      if (delta.type === 'tool-call') gate.resolve();
    }
    expect(seen).toEqual(['tool-call python', 'finish']);
  });

  it.each<{ name: string; version: VllmVersion; error: VllmError; kind: string; says: string; more: object }>([
    {
      name: 'a context overflow in the flat body of vLLM before 0.10.1 (0.9)',
      version: '0.9',
      error: { case: 'context-overflow', promptTokens: 5000, contextSize: 4096 },
      kind: 'context-overflow',
      says: "This model's maximum context length is 4096 tokens. However, your request has 5000 input tokens.",
      more: { status: 400, promptTokens: 5000, contextWindow: 4096 },
    },
    {
      name: 'a context overflow in the old wording, flat body (0.6)',
      version: '0.6',
      error: { case: 'context-overflow', promptTokens: 3000, contextSize: 2048 },
      kind: 'context-overflow',
      says: "This model's maximum context length is 2048 tokens. However, you requested",
      more: { status: 400, promptTokens: 3000, contextWindow: 2048 },
    },
    {
      name: 'a context overflow in the nested body of vLLM 0.10.1',
      version: '0.10.1',
      error: { case: 'context-overflow', promptTokens: 5000, contextSize: 4096 },
      kind: 'context-overflow',
      says: '(parameter=input_tokens, value=5000)',
      more: { status: 400, promptTokens: 5000, contextWindow: 4096 },
    },
    {
      name: 'a Gemma 2 template rejecting the system role, flat body (0.9)',
      version: '0.9',
      error: { case: 'system-role' },
      kind: 'system-role',
      says: 'System role not supported',
      more: { status: 400 },
    },
    {
      name: 'a server error, flat body (0.9)',
      version: '0.9',
      error: { case: 'server-error', message: 'EngineCore encountered an issue.' },
      kind: 'http',
      says: 'EngineCore encountered an issue.',
      more: { status: 500 },
    },
  ])('reports $name in its own words as kind $kind', async ({ version, error, kind, says, more }) => {
    const { baseUrl } = await startVllm(() => [{ type: 'error', error }], version);
    const got = modelError(await collect(streamChat(ask(baseUrl))));
    expect(got).toMatchObject({ kind, ...more });
    expect(got.message).toContain(says);
    expect(got.message).not.toContain('(no body)');
    expect(got.message).not.toContain('--base-url');
  });

  it('names the served models, with the server’s words, when the model asked for is not one (0.11)', async () => {
    const { baseUrl } = await startVllm(() => [{ type: 'error', error: { case: 'model-not-found' } }]);
    const got = modelError(await collect(streamChat(ask(baseUrl, { model: 'qwen3' }))));
    expect(got).toMatchObject({ kind: 'not-found', status: 404 });
    expect(got.message).toContain('The model `qwen3` does not exist.');
    expect(got.message).toContain(`It has: ${MODEL}.`);
  });

  it.each<{ version: VllmVersion; shape: string }>([
    { version: '0.9', shape: 'a flat `data: {"object":"error",…}` line' },
    { version: '0.11', shape: 'a nested `data: {"error":…}` line' },
  ])('reports an error in the middle of the stream sent as $shape (vLLM $version), keeping the answer so far', async ({ version }) => {
    const { baseUrl } = await startVllm(
      () => [
        { type: 'content', text: 'def fib(n):' },
        { type: 'error', error: { case: 'server-error', message: 'CUDA error: an illegal memory access was encountered' } },
      ],
      version,
    );
    const collected = await collect(streamChat(ask(baseUrl)));
    expect(textOf(collected.deltas, 'content')).toBe('def fib(n):');
    const got = modelError(collected);
    expect(got).toMatchObject({ kind: 'http', status: 500 });
    expect(got.message).toContain('in the middle of the answer');
    expect(got.message).toContain('CUDA error: an illegal memory access was encountered');
  });

  it('keeps the API key out of the message when the server repeats it', async () => {
    const apiKey = 'sk-local-0123456789';
    const { baseUrl } = await startVllm(() => [
      { type: 'content', text: 'x' },
      { type: 'error', error: { case: 'server-error', message: `rejected token ${apiKey}` } },
    ]);
    const got = modelError(await collect(streamChat(ask(baseUrl, { apiKey }))));
    expect(got.message).toContain('rejected token ***');
    expect(got.message).not.toContain(apiKey);
    expect(got.serverMessage).not.toContain(apiKey);
  });
});
