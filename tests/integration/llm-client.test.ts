import { freePort } from '../support/ports.ts';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ModelError, ScriptedModelServer, listModels, mergeConsecutive, streamChat } from '@duet/server';
import type { ChatDelta, ChatMessage, Script, StreamChatOptions } from '@duet/server';

const MODELS = ['model-one', 'model-two'];
const ASK: ChatMessage[] = [{ role: 'user', content: 'Say hello.' }];

async function startServer(script: Script): Promise<ScriptedModelServer> {
  const server = await ScriptedModelServer.start({ models: MODELS, script });
  onTestFinished(() => server.close());
  return server;
}

function options(server: ScriptedModelServer, extra: Partial<StreamChatOptions> = {}): StreamChatOptions {
  return { baseUrl: server.baseUrl, model: 'model-one', messages: ASK, ...extra };
}

/** Reads a whole stream, keeping the deltas that arrived before any error. */
async function collect(stream: AsyncIterable<ChatDelta>): Promise<{ deltas: ChatDelta[]; error: unknown }> {
  const deltas: ChatDelta[] = [];
  try {
    for await (const delta of stream) deltas.push(delta);
  } catch (error) {
    return { deltas, error };
  }
  return { deltas, error: undefined };
}

function contentOf(deltas: ChatDelta[]): string {
  return deltas.map((d) => (d.type === 'content' ? d.text : '')).join('');
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}


describe('streamChat', () => {
  it('yields reasoning and content deltas in arrival order, then the finish with usage', async () => {
    const server = await startServer(() => [
      { type: 'reasoning', text: 'The user wants ' },
      { type: 'reasoning', text: 'a greeting.' },
      { type: 'content', text: 'Hel' },
      { type: 'content', text: 'lo!' },
      { type: 'finish', reason: 'stop' },
    ]);
    const { deltas, error } = await collect(streamChat(options(server)));
    expect(error).toBeUndefined();
    expect(deltas).toEqual([
      { type: 'reasoning', text: 'The user wants ' },
      { type: 'reasoning', text: 'a greeting.' },
      { type: 'content', text: 'Hel' },
      { type: 'content', text: 'lo!' },
      // The scripted server counts the prompt as a quarter of its characters: 'Say hello.' is 3.
      { type: 'finish', reason: 'stop', usage: { completionTokens: 4, promptTokens: 3 } },
    ]);
    expect(server.requests[0]).toMatchObject({ model: 'model-one', stream: true, messages: ASK });
  });

  it('reports a token-limit finish as length', async () => {
    const server = await startServer(() => [
      { type: 'content', text: 'def f(' },
      { type: 'finish', reason: 'length' },
    ]);
    const { deltas } = await collect(streamChat(options(server, { maxTokens: 2 })));
    expect(deltas.at(-1)).toMatchObject({ type: 'finish', reason: 'length' });
    expect(server.requests[0]?.maxTokens).toBe(2);
  });

  it('ignores keep-alive comments between chunks', async () => {
    const server = await startServer(() => [
      { type: 'comment' },
      { type: 'content', text: 'a' },
      { type: 'comment' },
      { type: 'comment' },
      { type: 'content', text: 'b' },
    ]);
    const { deltas, error } = await collect(streamChat(options(server)));
    expect(error).toBeUndefined();
    expect(contentOf(deltas)).toBe('ab');
    expect(deltas.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
  });

  it('closes the server-side connection when the caller aborts mid-answer', async () => {
    const never = deferred();
    const server = await startServer(() => [
      { type: 'content', text: 'First half. ' },
      { type: 'wait', until: never.promise },
      { type: 'content', text: 'Second half.' },
    ]);
    const controller = new AbortController();
    const stream = streamChat(options(server, { signal: controller.signal }));
    const seen: ChatDelta[] = [];
    let error: unknown;
    try {
      for await (const delta of stream) {
        seen.push(delta);
        controller.abort();
      }
    } catch (e) {
      error = e;
    }
    expect(seen).toEqual([{ type: 'content', text: 'First half. ' }]);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).kind).toBe('aborted');
    await server.whenAllStreamsClosed();
    expect(server.exchanges[0]?.outcome).toBe('client-closed');
    expect(server.exchanges[0]?.sentContent).toBe('First half. ');
  });

  it('closes the server-side connection when the caller breaks out of the loop', async () => {
    const never = deferred();
    const server = await startServer(() => [
      { type: 'content', text: 'Enough.' },
      { type: 'wait', until: never.promise },
      { type: 'content', text: 'Never read.' },
    ]);
    for await (const delta of streamChat(options(server))) {
      expect(delta).toEqual({ type: 'content', text: 'Enough.' });
      break;
    }
    await server.whenAllStreamsClosed();
    expect(server.exchanges[0]?.clientClosedEarly).toBe(true);
    expect(server.exchanges[0]?.sentContent).toBe('Enough.');
  });

  it('refuses to start when the signal is already aborted', async () => {
    const server = await startServer(() => [{ type: 'content', text: 'x' }]);
    const { error } = await collect(streamChat(options(server, { signal: AbortSignal.abort() })));
    expect(error).toMatchObject({ kind: 'aborted' });
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    { name: 'the socket is destroyed', ending: { type: 'drop' } as const },
    { name: 'the response ends without a finish reason', ending: { type: 'end' } as const },
  ])('reports a dropped answer after the partial content when $name', async ({ ending }) => {
    const server = await startServer(() => [{ type: 'content', text: 'def fib(n):' }, ending]);
    const { deltas, error } = await collect(streamChat(options(server)));
    expect(contentOf(deltas)).toBe('def fib(n):');
    expect(deltas.some((d) => d.type === 'finish')).toBe(false);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ kind: 'dropped' });
    expect((error as Error).message).toContain('closed the connection in the middle of the answer');
  });

  it('gives up on a stalled stream after the idle timeout and hangs up', async () => {
    const server = await startServer(() => [{ type: 'content', text: 'Thinking' }, { type: 'stall' }]);
    const { deltas, error } = await collect(streamChat(options(server, { idleTimeoutMs: 200 })));
    expect(contentOf(deltas)).toBe('Thinking');
    expect(error).toMatchObject({ kind: 'stalled' });
    expect((error as Error).message).toContain('sent nothing for 0.2 s');
    await server.whenAllStreamsClosed();
    expect(server.exchanges[0]?.outcome).toBe('client-closed');
  });

  it('gives up on a server that never sends the first chunk after the first-token timeout, naming its flag', async () => {
    const server = await startServer(() => [{ type: 'stall' }]);
    const { error } = await collect(streamChat(options(server, { firstTokenTimeoutMs: 200, idleTimeoutMs: 100 })));
    expect(error).toMatchObject({ kind: 'stalled' });
    expect((error as Error).message).toContain('within 0.2 s of the request');
    expect((error as Error).message).toContain('--first-token-timeout');
  });

  it('explains an HTTP 500 with the server message', async () => {
    const server = await startServer(() => [
      { type: 'http-error', status: 500, body: { error: { message: 'CUDA out of memory', type: 'server_error' } } },
    ]);
    const { error } = await collect(streamChat(options(server)));
    expect(error).toMatchObject({ kind: 'http', status: 500, url: server.baseUrl });
    expect((error as Error).message).toContain(`The model server at ${server.baseUrl} answered HTTP 500`);
    expect((error as Error).message).toContain('CUDA out of memory');
  });

  it('reports an error event in the middle of the stream', async () => {
    const server = await startServer(() => [
      { type: 'content', text: 'partial' },
      { type: 'http-error', status: 500, body: { error: { message: 'context overflow' } } },
    ]);
    const { deltas, error } = await collect(streamChat(options(server)));
    expect(contentOf(deltas)).toBe('partial');
    expect(error).toMatchObject({ kind: 'http' });
    expect((error as Error).message).toContain('context overflow');
  });

  it('names the URL but never the API key when the server is unreachable', async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}/v1`;
    const apiKey = 'sk-very-secret-key';
    const { error } = await collect(streamChat({ baseUrl, apiKey, model: 'm', messages: ASK }));
    expect(error).toMatchObject({ kind: 'unreachable', url: baseUrl });
    const message = (error as Error).message;
    expect(message).toBe(
      `Could not reach the model server at ${baseUrl} (connection refused). Is LM Studio/Ollama running? Check --base-url; OpenAI-compatible servers usually end in /v1.`,
    );
    expect(message).not.toContain(apiKey);
  });

  it('lists the ids the server has when the model is unknown', async () => {
    const server = await startServer(() => [{ type: 'content', text: 'x' }]);
    const { error } = await collect(streamChat(options(server, { model: 'llama-9000' })));
    expect(error).toMatchObject({ kind: 'not-found', status: 404 });
    expect((error as Error).message).toContain('has no model "llama-9000"');
    expect((error as Error).message).toContain('model-one, model-two');
  });

  it('suggests /v1 when the base URL misses it', async () => {
    const server = await startServer(() => [{ type: 'content', text: 'x' }]);
    const root = server.baseUrl.replace(/\/v1$/, '');
    const { error } = await collect(streamChat({ baseUrl: root, model: 'model-one', messages: ASK }));
    expect(error).toMatchObject({ kind: 'not-found', status: 404 });
    expect((error as Error).message).toContain(`try --base-url ${root}/v1`);
    await expect(listModels(root)).rejects.toMatchObject({ kind: 'not-found', message: expect.stringContaining(`try --base-url ${root}/v1`) });
  });

  it.each([
    { name: 'sends the key as a bearer token', apiKey: 'k-123' as string | undefined, expected: 'Bearer k-123' as string | undefined },
    { name: 'sends no Authorization header without a key', apiKey: undefined, expected: undefined },
  ])('$name', async ({ apiKey, expected }) => {
    const server = await startServer(() => [{ type: 'content', text: 'x' }]);
    await collect(streamChat(options(server, apiKey === undefined ? {} : { apiKey })));
    expect(server.exchanges[0]?.authorization).toBe(expected);
  });
});

describe('listModels', () => {
  it('returns the ids the server lists, in order', async () => {
    const server = await startServer(() => []);
    expect(await listModels(server.baseUrl)).toEqual(MODELS);
  });

  it('explains an unreachable server', async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}/v1`;
    await expect(listModels(baseUrl, 'sk-secret')).rejects.toMatchObject({
      kind: 'unreachable',
      message: expect.stringContaining(`Could not reach the model server at ${baseUrl} (connection refused)`),
    });
  });
});

describe('mergeConsecutive', () => {
  const sys = (content: string): ChatMessage => ({ role: 'system', content });
  const user = (content: string): ChatMessage => ({ role: 'user', content });
  const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });
  it.each([
    { name: 'leaves an empty conversation empty', input: [], expected: [] },
    { name: 'leaves alternating roles alone', input: [sys('s'), user('u'), assistant('a')], expected: [sys('s'), user('u'), assistant('a')] },
    { name: 'joins two user messages with a blank line', input: [user('request'), user('feedback')], expected: [user('request\n\nfeedback')] },
    {
      name: 'joins every run, not just the first',
      input: [sys('s'), user('1'), user('2'), assistant('a'), assistant('b'), user('3')],
      expected: [sys('s'), user('1\n\n2'), assistant('a\n\nb'), user('3')],
    },
    { name: 'does not add blank lines for empty messages', input: [user(''), user('x'), user('')], expected: [user('x')] },
  ])('$name', ({ input, expected }) => {
    expect(mergeConsecutive(input)).toEqual(expected);
  });

  it('does not change the messages it was given', () => {
    const input = [user('a'), user('b')];
    mergeConsecutive(input);
    expect(input).toEqual([user('a'), user('b')]);
  });
});
