import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { streamChat, type ChatMessage, type StreamChatOptions } from '@duet/server';
import { collect, modelError, startChat, textOf } from '../support/real-servers/collect-chat.ts';
import { lmStudioChat, type LmStudioChatOptions, type LmStudioError, type LmStudioStep } from '../support/real-servers/lm-studio-chat.ts';
import type { ChatScript } from '../support/real-servers/scripted-chat.ts';

const ASK: ChatMessage[] = [
  { role: 'system', content: 'You write Python.' },
  { role: 'user', content: 'Write fib.' },
];
const MODEL = 'qwen2.5-coder-7b-instruct';

async function startLmStudio(script: ChatScript<LmStudioStep>, opts: LmStudioChatOptions = {}) {
  return startChat(lmStudioChat(script, opts), onTestFinished);
}

function ask(baseUrl: string, extra: Partial<StreamChatOptions> = {}): StreamChatOptions {
  return { baseUrl, model: MODEL, messages: ASK, ...extra };
}

describe('streamChat against LM Studio (0.3 to 0.4.21)', () => {
  it('streams the first token with its role, reasoning_content and content, then the usage (0.4.21)', async () => {
    const { baseUrl } = await startLmStudio(() => [
      { type: 'reasoning', text: 'Plan: recursion.' },
      { type: 'content', text: 'def fib(n):' },
      { type: 'finish', reason: 'stop', promptTokens: 321 },
    ]);
    const { deltas, error } = await collect(streamChat(ask(baseUrl)));
    expect(error).toBeUndefined();
    expect(deltas).toEqual([
      { type: 'reasoning', text: 'Plan: recursion.' },
      { type: 'content', text: 'def fib(n):' },
      { type: 'finish', reason: 'stop', usage: { promptTokens: 321, completionTokens: 2 } },
    ]);
  });

  it.each<{ name: string; opts: LmStudioChatOptions; error: LmStudioError; kind: string; says: string; more: object }>([
    {
      name: '"No models loaded" as a 404 with a string error (0.3)',
      opts: { build: '0.3' },
      error: { case: 'no-models-loaded' },
      kind: 'no-model-loaded',
      says: 'No models loaded. Please load a model in the developer page or use the `lms load` command',
      more: { status: 404 },
    },
    {
      name: '"No models loaded" as a 400 with a pretty-printed nested error (0.4.6)',
      opts: { build: '0.4.6' },
      error: { case: 'no-models-loaded' },
      kind: 'no-model-loaded',
      says: "No models loaded. Please load a model in the developer page or use the 'lms load' command.",
      more: { status: 400 },
    },
    {
      name: 'a context overflow as a 400 with a string error (0.3)',
      opts: { build: '0.3' },
      error: { case: 'context-overflow', promptTokens: 9000, contextSize: 8192 },
      kind: 'context-overflow',
      says: 'Trying to keep the first 9000 tokens when context the overflows',
      more: { status: 400, promptTokens: 9000, contextWindow: 8192 },
    },
    {
      name: 'n_keep >= n_ctx as `event: error` in a 200 stream (0.4.6)',
      opts: { build: '0.4.6' },
      error: { case: 'context-overflow', promptTokens: 15028, contextSize: 7424 },
      kind: 'context-overflow',
      says: 'Cannot truncate prompt with n_keep (15028) >= n_ctx (7424)',
      more: { promptTokens: 15028, contextWindow: 7424 },
    },
    {
      name: 'a context overflow as `event: error` with `error` and `message` (0.4.21)',
      opts: { build: '0.4.21' },
      error: { case: 'context-overflow', promptTokens: 31430, contextSize: 30000 },
      kind: 'context-overflow',
      says: 'Input does not fit in context length. The input has 31430 tokens, but the context length only supports 30000 tokens.',
      more: { promptTokens: 31430, contextWindow: 30000 },
    },
    {
      name: 'a template rejecting the system role as `event: error` (0.4.21)',
      opts: { build: '0.4.21' },
      error: { case: 'system-role' },
      kind: 'system-role',
      says: 'Error rendering prompt with jinja template: "Only user and assistant roles are supported!"',
      more: {},
    },
    {
      name: 'a crash as `event: error` whose data has no `error` key',
      opts: { build: '0.4.21', errorEvent: 'message-only' },
      error: { case: 'server-error', message: 'The model has crashed without additional information. (Exit code: 18446744072635810000)' },
      kind: 'http',
      says: 'The model has crashed without additional information. (Exit code: 18446744072635810000)',
      more: {},
    },
  ])('reports $name in its own words as kind $kind', async ({ opts, error, kind, says, more }) => {
    const { baseUrl } = await startLmStudio(() => [{ type: 'error', error }], opts);
    const got = modelError(await collect(streamChat(ask(baseUrl))));
    expect(got).toMatchObject({ kind, ...more });
    expect(got.message).toContain(says);
    expect(got.message).not.toContain('--base-url');
    expect(got.message).not.toContain('closed the connection');
  });

  it('tells how to load the model when none is loaded, not to check --base-url (0.4.6)', async () => {
    const { baseUrl } = await startLmStudio(() => [{ type: 'error', error: { case: 'no-models-loaded' } }], { build: '0.4.6' });
    const got = modelError(await collect(streamChat(ask(baseUrl))));
    expect(got.message).toContain(`lms load ${MODEL}`);
    expect(got.message).toContain('Just-in-Time');
  });

  it('waits for a Just-in-Time load longer than the idle timeout, which applies only after the first token (0.4.21)', async () => {
    // The fake's load takes longer than the idle timeout, counted from the request's arrival.
    const { baseUrl } = await startLmStudio(() => [
      { type: 'loading', until: sleep(600) },
      { type: 'content', text: 'Loaded.' },
      { type: 'finish', reason: 'stop' },
    ]);
    const { deltas, error } = await collect(streamChat(ask(baseUrl, { idleTimeoutMs: 300, firstTokenTimeoutMs: 30_000 })));
    expect(error).toBeUndefined();
    expect(textOf(deltas, 'content')).toBe('Loaded.');
    expect(deltas.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
  });

  it('gives up on a gap between chunks longer than the idle timeout, naming --idle-timeout and keeping the answer so far', async () => {
    const { server, baseUrl } = await startLmStudio(() => [{ type: 'content', text: 'def fib(n):' }, { type: 'stall' }]);
    const collected = await collect(streamChat(ask(baseUrl, { idleTimeoutMs: 300 })));
    expect(textOf(collected.deltas, 'content')).toBe('def fib(n):');
    const got = modelError(collected);
    expect(got.kind).toBe('stalled');
    expect(got.message).toContain('sent nothing for 0.3 s');
    expect(got.message).toContain('--idle-timeout');
    await server.chatRequests[0]?.closed;
    expect(server.chatRequests[0]?.clientClosed).toBe(true);
  });
});
