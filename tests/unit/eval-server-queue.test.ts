import { describe, expect, it } from 'vitest';
import { ServerQueue, type ChatStream } from '@duet/server';

/** A chat stream that yields one delta and then waits until the test lets it finish. */
function heldStream(log: string[]): { chat: ChatStream; finish: (model: string) => void } {
  const waiting = new Map<string, () => void>();
  const chat: ChatStream = async function* (opts) {
    log.push(`start ${opts.model}`);
    yield { type: 'content', text: 'x' };
    await new Promise<void>((resolve) => waiting.set(opts.model, resolve));
    log.push(`end ${opts.model}`);
  };
  return { chat, finish: (model) => waiting.get(model)?.() };
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) {
    // Only the order of starts and ends matters here.
  }
}

/** Lets pending promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('requests queued per model server', () => {
  it('wait for the one before them on the same server, and not for another server', async () => {
    const log: string[] = [];
    const { chat, finish } = heldStream(log);
    const clock = { queueMs: 0, modelMs: 0 };
    const queued = new ServerQueue(1).wrap(chat, clock);
    const first = drain(queued({ baseUrl: 'http://gpu/v1', model: 'm1', messages: [] }));
    const second = drain(queued({ baseUrl: 'http://gpu/v1/', model: 'm2', messages: [] }));
    const elsewhere = drain(queued({ baseUrl: 'http://other/v1', model: 'm3', messages: [] }));
    await settle();
    expect(log).toEqual(['start m1', 'start m3']);
    finish('m1');
    await first;
    await settle();
    expect(log).toEqual(['start m1', 'start m3', 'end m1', 'start m2']);
    finish('m2');
    finish('m3');
    await Promise.all([second, elsewhere]);
  });

  it('let a server that batches take several at once', async () => {
    const log: string[] = [];
    const { chat, finish } = heldStream(log);
    const queued = new ServerQueue(2).wrap(chat, { queueMs: 0, modelMs: 0 });
    const streams = ['m1', 'm2', 'm3'].map((model) => drain(queued({ baseUrl: 'http://vllm/v1', model, messages: [] })));
    await settle();
    expect(log).toEqual(['start m1', 'start m2']);
    finish('m2');
    await streams[1];
    await settle();
    expect(log.at(-1)).toBe('start m3');
    finish('m1');
    finish('m3');
    await Promise.all(streams);
  });

  it('give up a place when the request is cancelled while it waits', async () => {
    const queue = new ServerQueue(1);
    const release = await queue.acquire('http://gpu/v1');
    const abort = new AbortController();
    const waiting = queue.acquire('http://gpu/v1', abort.signal);
    abort.abort(new Error('run stopped'));
    await expect(waiting).rejects.toThrow('run stopped');
    release();
    // The cancelled request did not keep the place: the next one gets it.
    const next = await queue.acquire('http://gpu/v1');
    next();
  });
});
