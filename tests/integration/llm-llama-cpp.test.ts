import { describe, expect, it, onTestFinished } from 'vitest';
import { ModelError, listModels, streamChat, withLoadingRetry, type ChatMessage, type StreamChatOptions } from '@duet/server';
import { sendJson } from '../support/real-servers/loopback.ts';
import { collect, deltasOf, deferred, modelError, startChat, textOf } from '../support/real-servers/collect-chat.ts';
import { LOADING_BODY, llamaCppChat, type LlamaCppChatOptions, type LlamaCppError, type LlamaCppStep } from '../support/real-servers/llama-cpp-chat.ts';
import type { ChatScript } from '../support/real-servers/scripted-chat.ts';

const ASK: ChatMessage[] = [
  { role: 'system', content: 'You write Python.' },
  { role: 'user', content: 'Write fib.' },
];
const MODEL = '/models/qwen2.5-coder-7b-instruct-q4_k_m.gguf';
const SHORT_BACKOFF = { initialMs: 10, maxMs: 40 };

async function startLlamaCpp(script: ChatScript<LlamaCppStep>, opts: LlamaCppChatOptions = {}) {
  return startChat(llamaCppChat(script, opts), onTestFinished);
}

function ask(baseUrl: string, extra: Partial<StreamChatOptions> = {}): StreamChatOptions {
  return { baseUrl, model: MODEL, messages: ASK, loadingBackoff: SHORT_BACKOFF, ...extra };
}

/** Keep-alive comments every few milliseconds, and nothing else, until the client leaves. */
async function* onlyPings(signal: AbortSignal): AsyncGenerator<LlamaCppStep> {
  while (!signal.aborted) {
    yield { type: 'ping' };
    yield { type: 'delay', ms: 20 };
  }
}

describe('streamChat against llama.cpp server (llama-server, builds of 2025–2026)', () => {
  it('streams reasoning_content and content after the role-only first chunk, then the usage with the prompt tokens', async () => {
    const { baseUrl } = await startLlamaCpp(() => [
      { type: 'reasoning', text: 'Recursion is fine.' },
      { type: 'ping' },
      { type: 'content', text: 'def fib(n):' },
      { type: 'content', text: ' ...' },
      { type: 'finish', reason: 'stop', promptTokens: 1234 },
    ]);
    const { deltas, error } = await collect(streamChat(ask(baseUrl)));
    expect(error).toBeUndefined();
    expect(deltas).toEqual([
      { type: 'reasoning', text: 'Recursion is fine.' },
      { type: 'content', text: 'def fib(n):' },
      { type: 'content', text: ' ...' },
      { type: 'finish', reason: 'stop', usage: { promptTokens: 1234, completionTokens: 3 } },
    ]);
  });

  it('reads the usage from the finish chunk of builds before include_usage support', async () => {
    const { baseUrl } = await startLlamaCpp(() => [{ type: 'content', text: 'x' }, { type: 'finish', reason: 'length', promptTokens: 77 }], { usageInFinishChunk: true });
    const { deltas } = await collect(streamChat(ask(baseUrl)));
    expect(deltas.at(-1)).toEqual({ type: 'finish', reason: 'length', usage: { promptTokens: 77, completionTokens: 1 } });
  });

  it('gives the name of a tool call once, put together from its pieces, and finishes as tool-calls', async () => {
    const { baseUrl } = await startLlamaCpp(() => [
      { type: 'tool-call', index: 0, id: 'call_Xa1', name: 'run_' },
      { type: 'tool-call', index: 0, name: 'python' },
      { type: 'tool-call', index: 0, arguments: '{"code":' },
      { type: 'tool-call', index: 0, arguments: ' "print(1)"}' },
      { type: 'tool-call', index: 1, id: 'call_Xa2', name: 'read_file', arguments: '' },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    const { deltas, error } = await collect(streamChat(ask(baseUrl)));
    expect(error).toBeUndefined();
    expect(deltas).toEqual([
      { type: 'tool-call', name: 'run_python' },
      { type: 'tool-call', name: 'read_file' },
      { type: 'finish', reason: 'tool-calls', usage: expect.any(Object) },
    ]);
  });

  it.each<{ name: string; build: LlamaCppChatOptions['build']; error: LlamaCppError; kind: string; says: string; numbers: object }>([
    {
      name: 'a context overflow answered with HTTP 400 (current builds)',
      build: 'current',
      error: { case: 'context-overflow', promptTokens: 5000, contextSize: 4096 },
      kind: 'context-overflow',
      says: 'request (5000 tokens) exceeds the available context size (4096 tokens), try increasing it',
      numbers: { promptTokens: 5000, contextWindow: 4096, status: 400 },
    },
    {
      name: 'a context overflow sent as `data: {"error":…}` (builds since PR #16109)',
      build: 'pr-16109',
      error: { case: 'context-overflow', promptTokens: 5000, contextSize: 4096 },
      kind: 'context-overflow',
      says: 'request (5000 tokens) exceeds the available context size (4096 tokens)',
      numbers: { promptTokens: 5000, contextWindow: 4096, status: 400 },
    },
    {
      name: 'a context overflow sent as a non-standard `error:` line (builds before PR #16109)',
      build: 'before-pr-16109',
      error: { case: 'context-overflow', promptTokens: 5000, contextSize: 4096 },
      kind: 'context-overflow',
      says: 'the request exceeds the available context size. try increasing the context size or enable context shift',
      numbers: { status: 400 },
    },
    {
      name: 'a Gemma 2 template rejecting the system role (HTTP 500)',
      build: 'current',
      error: { case: 'system-role' },
      kind: 'system-role',
      says: 'Jinja Exception: System role not supported',
      numbers: { status: 500 },
    },
    {
      name: 'a server error sent as a non-standard `error:` line (builds before PR #16109)',
      build: 'before-pr-16109',
      error: { case: 'server-error', message: 'failed to decode the batch, n_batch = 512, ret = -3' },
      kind: 'http',
      says: 'failed to decode the batch, n_batch = 512, ret = -3',
      numbers: { status: 500 },
    },
  ])('reports $name in the server’s own words as kind $kind', async ({ build, error, kind, says, numbers }) => {
    const { baseUrl } = await startLlamaCpp(() => [{ type: 'error', error }], { build });
    const got = modelError(await collect(streamChat(ask(baseUrl))));
    expect(got).toMatchObject({ kind, ...numbers });
    expect(got.message).toContain(says);
    expect(got.serverMessage).toContain(says);
    expect(got.message).not.toContain('--base-url');
    expect(got.message).not.toContain('OpenAI-style');
  });

  it('reports an error after part of the answer as such, keeping the part (builds before PR #16109)', async () => {
    const { baseUrl } = await startLlamaCpp(
      () => [
        { type: 'content', text: 'def fib(n):' },
        { type: 'error', error: { case: 'server-error', message: 'out of memory' } },
      ],
      { build: 'before-pr-16109' },
    );
    const collected = await collect(streamChat(ask(baseUrl)));
    expect(textOf(collected.deltas, 'content')).toBe('def fib(n):');
    const got = modelError(collected);
    expect(got.kind).toBe('http');
    expect(got.message).toContain('in the middle of the answer');
    expect(got.message).toContain('out of memory');
  });

  it('asks again while the server answers 503 "Loading model", saying so in its words each time, then streams the answer', async () => {
    const { server, baseUrl } = await startLlamaCpp((_req, { requestIndex }) =>
      requestIndex < 2 ? [{ type: 'loading' }] : [{ type: 'content', text: 'Ready.' }, { type: 'finish', reason: 'stop' }],
    );
    const { deltas, error } = await collect(streamChat(ask(baseUrl)));
    expect(error).toBeUndefined();
    const loading = deltasOf(deltas, 'loading');
    expect(loading.map((d) => d.detail)).toEqual(['Loading model', 'Loading model']);
    expect(loading.every((d) => Number.isInteger(d.waitedMs) && d.waitedMs >= 0)).toBe(true);
    expect(deltas.slice(2).map((d) => d.type)).toEqual(['content', 'finish']);
    expect(textOf(deltas, 'content')).toBe('Ready.');
    expect(server.chatRequests).toHaveLength(3);
  });

  it('gives up with kind loading, naming --first-token-timeout, when the model is still loading at the first-token timeout', async () => {
    const { server, baseUrl } = await startLlamaCpp(() => [{ type: 'loading' }]);
    const collected = await collect(streamChat(ask(baseUrl, { firstTokenTimeoutMs: 500 })));
    const got = modelError(collected);
    expect(got).toMatchObject({ kind: 'loading', retryable: false, serverMessage: 'Loading model' });
    expect(got.message).toContain('still loading the model after 0.5 s');
    expect(got.message).toContain('--first-token-timeout');
    expect(deltasOf(collected.deltas, 'loading').length).toBeGreaterThanOrEqual(1);
    expect(collected.deltas.every((d) => d.type === 'loading')).toBe(true);
    expect(server.chatRequests.length).toBeGreaterThanOrEqual(1);
  });

  it('does not take `:` keep-alives for a first token: a server that only pings ends as stalled at the first-token timeout', async () => {
    const { baseUrl } = await startLlamaCpp((_req, { signal }) => onlyPings(signal));
    const collected = await collect(streamChat(ask(baseUrl, { firstTokenTimeoutMs: 300, idleTimeoutMs: 100 })));
    expect(collected.deltas).toEqual([]);
    const got = modelError(collected);
    expect(got.kind).toBe('stalled');
    expect(got.message).toContain('--first-token-timeout');
  });

  it('does not let `:` keep-alives restart the idle wait: a gap filled only with pings ends as stalled, naming --idle-timeout', async () => {
    const { server, baseUrl } = await startLlamaCpp(async function* (_req, { signal }) {
      yield { type: 'content', text: 'Thinking' };
      yield* onlyPings(signal);
    });
    const collected = await collect(streamChat(ask(baseUrl, { idleTimeoutMs: 300 })));
    expect(textOf(collected.deltas, 'content')).toBe('Thinking');
    const got = modelError(collected);
    expect(got.kind).toBe('stalled');
    expect(got.message).toContain('sent nothing for 0.3 s');
    expect(got.message).toContain('--idle-timeout');
    await server.chatRequests[0]?.closed;
    expect(server.chatRequests[0]?.clientClosed).toBe(true);
  });

  it('closes the connection when the caller breaks out of the loop', async () => {
    const never = deferred();
    const { server, baseUrl } = await startLlamaCpp(() => [
      { type: 'content', text: 'Enough.' },
      { type: 'wait', until: never.promise },
      { type: 'content', text: 'Never read.' },
    ]);
    for await (const delta of streamChat(ask(baseUrl))) {
      expect(delta).toEqual({ type: 'content', text: 'Enough.' });
      break;
    }
    await server.chatRequests[0]?.closed;
    expect(server.chatRequests[0]?.clientClosed).toBe(true);
  });
});

describe('withLoadingRetry against llama.cpp server while it loads', () => {
  /** `GET /v1/models` answering 503 "Loading model" for the first `loadingAnswers` requests, as `/props` does. */
  async function startLoadingList(loadingAnswers: number) {
    let requests = 0;
    return startChat(
      {
        'GET /v1/models': ({ res }) => {
          if (requests++ < loadingAnswers) sendJson(res, 503, LOADING_BODY);
          else sendJson(res, 200, { object: 'list', data: [{ id: MODEL, object: 'model', created: 1, owned_by: 'llamacpp' }] });
        },
      },
      onTestFinished,
    );
  }

  it('retries while the server answers 503 "Loading model", reporting each wait with its words', async () => {
    const { baseUrl } = await startLoadingList(2);
    const waits: [number, string][] = [];
    const ids = await withLoadingRetry(() => listModels(baseUrl), { timeoutMs: 10_000, backoff: SHORT_BACKOFF, onLoading: (ms, detail) => waits.push([ms, detail]) });
    expect(ids).toEqual([MODEL]);
    expect(waits.map(([, detail]) => detail)).toEqual(['Loading model', 'Loading model']);
  });

  it('ends with kind loading once the timeout has passed', async () => {
    const { baseUrl } = await startLoadingList(Number.POSITIVE_INFINITY);
    const failure = await withLoadingRetry(() => listModels(baseUrl), { timeoutMs: 200, backoff: SHORT_BACKOFF, timeoutFlag: '--startup-timeout' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ModelError);
    expect(failure).toMatchObject({ kind: 'loading', retryable: false, serverMessage: 'Loading model' });
    expect((failure as ModelError).message).toContain('--startup-timeout');
  });

  it('passes any other failure through at once', async () => {
    const { baseUrl } = await startChat({ 'GET /v1/models': ({ res }) => sendJson(res, 500, { error: { code: 500, message: 'boom', type: 'server_error' } }) }, onTestFinished);
    let calls = 0;
    const failure = await withLoadingRetry(
      () => {
        calls++;
        return listModels(baseUrl);
      },
      { timeoutMs: 10_000, backoff: SHORT_BACKOFF },
    ).catch((e: unknown) => e);
    expect(failure).toMatchObject({ kind: 'http', status: 500, serverMessage: 'boom' });
    expect(calls).toBe(1);
  });
});
