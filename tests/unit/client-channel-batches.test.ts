import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { DocumentEvent, NotebookCell, ServerMessage } from '@duet/server/protocol';
import { ClientChannel } from '@duet/server';

/** A socket that records each message with the write it went out in (writes between cork and uncork are one). */
function fakeSocket(): { ws: WebSocket; sent: ServerMessage[]; writes: ServerMessage[][]; transport: { cork(): void; uncork(): void } } {
  const sent: ServerMessage[] = [];
  const writes: ServerMessage[][] = [];
  let corked: ServerMessage[] | null = null;
  const ws = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    send: (data: string) => {
      const m = JSON.parse(data) as ServerMessage;
      sent.push(m);
      if (corked) corked.push(m);
      else writes.push([m]);
    },
    terminate: () => undefined,
  };
  const transport = {
    cork: () => {
      corked = [];
    },
    uncork: () => {
      if (corked && corked.length > 0) writes.push(corked);
      corked = null;
    },
  };
  return { ws: ws as unknown as WebSocket, sent, writes, transport };
}

/** Lets the current turn of the event loop end, and with it every microtask queued in it. */
const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const runtime = (id: string, phase: 'queued' | 'running' | 'idle'): DocumentEvent => ({ type: 'cell-runtime', id, runtime: { phase, startedAt: null, lastDurationMs: null } });
const append = (id: string, text: string): DocumentEvent => ({ type: 'source-appended', id, text });
const eventsOf = (messages: ServerMessage[]): DocumentEvent[] => messages.flatMap((m) => (m.type === 'event' ? [m.event] : []));

afterEach(() => {
  vi.useRealTimers();
});

describe("a browser's channel sends each turn's events together", () => {
  it('sends what one piece of work produced when it ends, in order, in one write', async () => {
    const { ws, sent, writes, transport } = fakeSocket();
    const channel = new ClientChannel(ws, { coalesceMs: 1000, maxBufferedBytes: 1 << 20, onDropped: () => undefined, transport });
    channel.event(runtime('c1', 'queued'));
    channel.event({ type: 'outputs-cleared', id: 'c1' });
    channel.event(runtime('c1', 'running'));
    expect(sent).toEqual([]);

    await endOfTurn();
    expect(eventsOf(sent)).toEqual([runtime('c1', 'queued'), { type: 'outputs-cleared', id: 'c1' }, runtime('c1', 'running')]);
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(writes.map((w) => w.length)).toEqual([3]);
    channel.close();
  });

  it('has sent the events before work that continues after them, such as an HTTP answer, goes on', async () => {
    const { ws, sent, transport } = fakeSocket();
    const channel = new ClientChannel(ws, { coalesceMs: 1000, maxBufferedBytes: 1 << 20, onDropped: () => undefined, transport });
    channel.event(runtime('c1', 'queued'));
    await Promise.resolve();
    expect(eventsOf(sent)).toEqual([runtime('c1', 'queued')]);
    channel.close();
  });

  it('sends an event as it was when it happened, even if its object changes before the turn ends', async () => {
    const { ws, sent, transport } = fakeSocket();
    const channel = new ClientChannel(ws, { coalesceMs: 1000, maxBufferedBytes: 1 << 20, onDropped: () => undefined, transport });
    const cell: NotebookCell = { id: 'c1', cellType: 'code', source: 'x = 1', outputs: [], executionCount: null, duet: { role: 'code', model: null, turn: 0 } };
    channel.event({ type: 'cell-added', index: 0, cell, runtime: { phase: 'idle', startedAt: null, lastDurationMs: null } });
    cell.outputs.push({ output_type: 'stream', name: 'stdout', text: 'later\n' });

    await endOfTurn();
    const [added] = eventsOf(sent);
    expect(added?.type === 'cell-added' && added.cell.outputs).toEqual([]);
    channel.close();
  });

  it('keeps an error in sequence after the events queued before it', () => {
    const { ws, sent, transport } = fakeSocket();
    const channel = new ClientChannel(ws, { coalesceMs: 1000, maxBufferedBytes: 1 << 20, onDropped: () => undefined, transport });
    channel.event(runtime('c1', 'queued'));
    channel.error('refused', 'run-cell');

    expect(sent.map((m) => [m.type, m.seq])).toEqual([
      ['event', 1],
      ['error', 2],
    ]);
    channel.close();
  });

  it('sends the first token at once and merges the ones that follow within the window', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { ws, sent, transport } = fakeSocket();
    const channel = new ClientChannel(ws, { coalesceMs: 30, maxBufferedBytes: 1 << 20, onDropped: () => undefined, transport });
    channel.event(append('c1', 'a'));
    await endOfTurn();
    expect(eventsOf(sent)).toEqual([append('c1', 'a')]);

    channel.event(append('c1', 'b'));
    await endOfTurn();
    channel.event(append('c1', 'c'));
    await endOfTurn();
    expect(eventsOf(sent)).toEqual([append('c1', 'a')]);

    vi.advanceTimersByTime(30);
    expect(eventsOf(sent)).toEqual([append('c1', 'a'), append('c1', 'bc')]);

    // The window that opened with that send holds the next token too; after a quiet window, the next goes at once.
    channel.event(append('c1', 'd'));
    await endOfTurn();
    expect(eventsOf(sent)).toHaveLength(2);
    vi.advanceTimersByTime(30);
    expect(eventsOf(sent)).toEqual([append('c1', 'a'), append('c1', 'bc'), append('c1', 'd')]);
    vi.advanceTimersByTime(30);
    channel.event(append('c1', 'e'));
    await endOfTurn();
    expect(eventsOf(sent).at(-1)).toEqual(append('c1', 'e'));
    channel.close();
  });

  it('sends merged tokens at once, ahead of the event that ends a cell', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { ws, sent, writes, transport } = fakeSocket();
    const channel = new ClientChannel(ws, { coalesceMs: 30, maxBufferedBytes: 1 << 20, onDropped: () => undefined, transport });
    channel.event(append('c1', 'a'));
    await endOfTurn();
    channel.event(append('c1', 'b'));
    channel.event(runtime('c1', 'idle'));
    await endOfTurn();

    expect(eventsOf(sent)).toEqual([append('c1', 'a'), append('c1', 'b'), runtime('c1', 'idle')]);
    expect(writes.map((w) => w.length)).toEqual([1, 2]);
    channel.close();
  });

  it('sends nothing after it is closed', async () => {
    const { ws, sent, transport } = fakeSocket();
    const channel = new ClientChannel(ws, { coalesceMs: 1000, maxBufferedBytes: 1 << 20, onDropped: () => undefined, transport });
    channel.event(runtime('c1', 'queued'));
    channel.close();
    channel.event(runtime('c1', 'running'));
    await endOfTurn();
    expect(sent).toEqual([]);
  });
});
