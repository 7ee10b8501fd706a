import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { streamChat, type ChatMessage, type StreamChatOptions } from '@duet/server';
import { sendJson, type Routes } from '../support/real-servers/loopback.ts';
import { collect, deferred, modelError, startChat, textOf } from '../support/real-servers/collect-chat.ts';
import { ollamaChat, type OllamaError, type OllamaStep } from '../support/real-servers/ollama-chat.ts';
import type { ChatScript } from '../support/real-servers/scripted-chat.ts';

const ASK: ChatMessage[] = [
  { role: 'system', content: 'You write Python.' },
  { role: 'user', content: 'Write fib.' },
];
const MODEL = 'qwen3:8b';

/** Ollama's `GET /v1/models` (openai.ToListCompletion), for the requests that ask which models exist. */
const LISTING: Routes = {
  'GET /v1/models': ({ res }) => sendJson(res, 200, { object: 'list', data: [{ id: MODEL, object: 'model', created: 1760000000, owned_by: 'library' }] }),
};

async function startOllama(script: ChatScript<OllamaStep>) {
  return startChat({ ...ollamaChat(script), ...LISTING }, onTestFinished);
}

function ask(baseUrl: string, extra: Partial<StreamChatOptions> = {}): StreamChatOptions {
  return { baseUrl, model: MODEL, messages: ASK, ...extra };
}

describe('streamChat against Ollama’s OpenAI compatibility layer (Ollama ≥ 0.9)', () => {
  it('streams `reasoning` and content from chunks that all carry the role, then the usage copied onto the last chunk', async () => {
    const { baseUrl } = await startOllama(() => [
      { type: 'reasoning', text: 'Okay, fib.' },
      { type: 'content', text: 'def fib(n):' },
      { type: 'finish', reason: 'stop', promptTokens: 42 },
    ]);
    const { deltas, error } = await collect(streamChat(ask(baseUrl)));
    expect(error).toBeUndefined();
    expect(deltas).toEqual([
      { type: 'reasoning', text: 'Okay, fib.' },
      { type: 'content', text: 'def fib(n):' },
      { type: 'finish', reason: 'stop', usage: { promptTokens: 42, completionTokens: 2 } },
    ]);
  });

  it('reports a tool call sent whole, and the finish reason tool_calls as tool-calls', async () => {
    const { baseUrl } = await startOllama(() => [
      { type: 'tool-call', index: 0, id: 'call_k2m1', name: 'python', arguments: '{"code":"print(1)"}' },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    const { deltas } = await collect(streamChat(ask(baseUrl)));
    expect(deltas.map((d) => d.type)).toEqual(['tool-call', 'finish']);
    expect(deltas[0]).toEqual({ type: 'tool-call', name: 'python' });
    expect(deltas[1]).toMatchObject({ type: 'finish', reason: 'tool-calls' });
  });

  it('waits out a cold load that holds even the headers for longer than the idle timeout', async () => {
    // The fake's load takes longer than the idle timeout, counted from the request's arrival.
    const { baseUrl } = await startOllama(() => [
      { type: 'loading', until: sleep(600) },
      { type: 'content', text: 'Warm now.' },
      { type: 'finish', reason: 'stop' },
    ]);
    const { deltas, error } = await collect(streamChat(ask(baseUrl, { idleTimeoutMs: 300, firstTokenTimeoutMs: 30_000 })));
    expect(error).toBeUndefined();
    expect(textOf(deltas, 'content')).toBe('Warm now.');
  });

  it('gives up on a load longer than the first-token timeout as stalled, naming --first-token-timeout', async () => {
    const never = deferred();
    const { server, baseUrl } = await startOllama(() => [{ type: 'loading', until: never.promise }]);
    const got = modelError(await collect(streamChat(ask(baseUrl, { firstTokenTimeoutMs: 300 }))));
    expect(got.kind).toBe('stalled');
    expect(got.message).toContain('within 0.3 s of the request');
    expect(got.message).toContain('--first-token-timeout');
    await server.chatRequests[0]?.closed;
    expect(server.chatRequests[0]?.clientClosed).toBe(true);
  });

  it.each<{ name: string; error: OllamaError; kind: string; says: string; more: object }>([
    {
      name: 'a model that was never pulled (404 not_found_error)',
      error: { case: 'model-not-found' },
      kind: 'not-found',
      says: 'model "qwen3:8b" not found, try pulling it first',
      more: { status: 404 },
    },
    {
      name: "a context overflow relayed from llama-server as the text of Ollama's error (builds with PR #16712)",
      error: { case: 'context-overflow', promptTokens: 5000, contextSize: 4096 },
      kind: 'context-overflow',
      says: 'request (5000 tokens) exceeds the available context size (4096 tokens)',
      more: { status: 400, promptTokens: 5000, contextWindow: 4096 },
    },
    {
      name: 'a runner crash (500 api_error)',
      error: { case: 'server-error', message: 'llama runner process has terminated: exit status 2' },
      kind: 'http',
      says: 'llama runner process has terminated: exit status 2',
      more: { status: 500 },
    },
  ])('reports $name in its own words as kind $kind', async ({ error, kind, says, more }) => {
    const { baseUrl } = await startOllama(() => [{ type: 'error', error }]);
    const got = modelError(await collect(streamChat(ask(baseUrl))));
    expect(got).toMatchObject({ kind, ...more });
    expect(got.message).toContain(says);
    expect(got.message).not.toContain('--base-url');
  });

  it('names the models it has when the one asked for was never pulled', async () => {
    const { baseUrl } = await startOllama(() => [{ type: 'error', error: { case: 'model-not-found' } }]);
    const got = modelError(await collect(streamChat(ask(baseUrl, { model: 'llama3.2' }))));
    expect(got.kind).toBe('not-found');
    expect(got.message).toContain('has no model "llama3.2"');
    expect(got.message).toContain('model "llama3.2" not found, try pulling it first');
    expect(got.message).toContain(`It has: ${MODEL}.`);
  });
});
