import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ScriptedModelServer, contentChunks, createModelHandler, listModels, streamChat } from '@duet/server';
import type { Script } from '@duet/server';

const hello: Script = () => [{ type: 'reasoning', text: 'hm' }, ...contentChunks('Hello there', 4), { type: 'finish', reason: 'stop' }];

async function startServer(script: Script): Promise<ScriptedModelServer> {
  const server = await ScriptedModelServer.start({ models: ['m'], script });
  onTestFinished(() => server.close());
  return server;
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

describe('contentChunks', () => {
  it.each([
    { name: 'cuts text into pieces of the given size', text: 'abcdefg', size: 3, expected: ['abc', 'def', 'g'] },
    { name: 'gives nothing for empty text', text: '', size: 3, expected: [] },
    { name: 'never splits an emoji', text: 'a😀b', size: 2, expected: ['a😀', 'b'] },
  ])('$name', ({ text, size, expected }) => {
    expect(contentChunks(text, size)).toEqual(expected.map((t) => ({ type: 'content', text: t })));
  });
});

describe('ScriptedModelServer', () => {
  it('streams OpenAI chat.completion.chunk events and ends with [DONE]', async () => {
    const server = await startServer(() => [{ type: 'content', text: 'Hi' }, { type: 'finish', reason: 'length' }]);
    const response = await post(`${server.baseUrl}/chat/completions`, { model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await response.text()).split('\n\n').filter((e) => e !== '');
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')) as Record<string, unknown>);
    expect(chunks.map((c) => c.choices)).toEqual([
      [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
      [{ index: 0, delta: { content: 'Hi' }, logprobs: null, finish_reason: null }],
      [{ index: 0, delta: {}, logprobs: null, finish_reason: 'length' }],
    ]);
    expect(chunks[0]).toMatchObject({ object: 'chat.completion.chunk', model: 'm', id: expect.stringMatching(/^chatcmpl-/) });
  });

  it('answers a non-streaming request with one chat.completion', async () => {
    const server = await startServer(hello);
    const response = await post(`${server.baseUrl}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(await response.json()).toMatchObject({
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there', reasoning_content: 'hm' }, finish_reason: 'stop' }],
      usage: { completion_tokens: 4 },
    });
    expect(server.requests[0]?.stream).toBe(false);
  });

  it('lists its models as OpenAI does', async () => {
    const server = await startServer(hello);
    const response = await fetch(`${server.baseUrl}/models`);
    expect(await response.json()).toEqual({ object: 'list', data: [{ id: 'm', object: 'model', created: expect.any(Number), owned_by: 'duet' }] });
  });

  it('refuses a malformed request with a 400', async () => {
    const server = await startServer(hello);
    const response = await post(`${server.baseUrl}/chat/completions`, { model: 'm' });
    expect(response.status).toBe(400);
    expect(server.requests).toHaveLength(0);
  });

  it('stops the script when the client goes away', async () => {
    let stopped!: () => void;
    const scriptStopped = new Promise<void>((resolve) => (stopped = resolve));
    const server = await startServer(async function* (_req, ctx) {
      ctx.signal.addEventListener('abort', () => stopped());
      yield { type: 'content', text: 'a' };
      yield { type: 'stall' };
    });
    for await (const delta of streamChat({ baseUrl: server.baseUrl, model: 'm', messages: [] })) {
      expect(delta).toEqual({ type: 'content', text: 'a' });
      break;
    }
    await scriptStopped;
    expect(await server.exchanges[0]?.closed).toBe('client-closed');
    expect(server.openStreams()).toBe(0);
  });

  it('numbers requests so a script can answer each differently', async () => {
    const server = await startServer((_req, ctx) => [{ type: 'content', text: `answer ${ctx.requestIndex}` }]);
    for (const expected of ['answer 0', 'answer 1']) {
      let text = '';
      for await (const delta of streamChat({ baseUrl: server.baseUrl, model: 'm', messages: [] })) if (delta.type === 'content') text += delta.text;
      expect(text).toBe(expected);
    }
  });
});

describe('createModelHandler under express', () => {
  it('serves models and chat under a mount prefix and passes other paths on', async () => {
    const app = express();
    app.use(express.json());
    app.use('/demo/v1', createModelHandler({ models: ['m'], script: hello }));
    app.use((_req, res) => {
      res.status(418).send('next');
    });
    const http = app.listen(0, '127.0.0.1');
    onTestFinished(() => new Promise<void>((resolve) => http.close(() => resolve())));
    await new Promise<void>((resolve) => http.once('listening', resolve));
    const baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/demo/v1`;

    expect(await listModels(baseUrl)).toEqual(['m']);
    let text = '';
    for await (const delta of streamChat({ baseUrl, model: 'm', messages: [{ role: 'user', content: 'hi' }] })) if (delta.type === 'content') text += delta.text;
    expect(text).toBe('Hello there');
    expect((await fetch(`${baseUrl}/elsewhere`)).status).toBe(418);
  });
});
