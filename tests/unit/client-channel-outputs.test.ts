import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { DocumentEvent, NbOutput, ServerMessage } from '@duet/server/protocol';
import { ClientChannel } from '@duet/server';

/** Just enough of a socket: open, never backed up, recording what is sent. */
function fakeSocket(): { ws: WebSocket; sent: ServerMessage[] } {
  const sent: ServerMessage[] = [];
  const ws = { OPEN: 1, readyState: 1, bufferedAmount: 0, send: (data: string) => sent.push(JSON.parse(data) as ServerMessage), terminate: () => undefined };
  return { ws: ws as unknown as WebSocket, sent };
}

const frame = (i: number): NbOutput[] => [{ output_type: 'display_data', data: { 'text/plain': `frame ${i}` }, metadata: {} }];
const set = (id: string, i: number): DocumentEvent => ({ type: 'outputs-set', id, outputs: frame(i), executionCount: null });
const eventsOf = (sent: ServerMessage[]): DocumentEvent[] => sent.flatMap((m) => (m.type === 'event' ? [m.event] : []));

describe("a browser's channel and a display updated in a loop", () => {
  it('sends only the latest outputs of a cell from one window, numbered without gaps', () => {
    const { ws, sent } = fakeSocket();
    const channel = new ClientChannel(ws, { coalesceMs: 1000, maxBufferedBytes: 1024, onDropped: () => undefined });
    for (let i = 0; i < 500; i++) channel.event(set('c1', i));
    channel.flush();

    expect(eventsOf(sent)).toEqual([set('c1', 499)]);
    expect(sent.map((m) => m.seq)).toEqual([1]);
  });

  it('keeps each cell apart and every other event in its place', () => {
    const { ws, sent } = fakeSocket();
    const channel = new ClientChannel(ws, { coalesceMs: 1000, maxBufferedBytes: 1024, onDropped: () => undefined });
    channel.event(set('c1', 1));
    channel.event(set('c2', 1));
    channel.event(set('c1', 2));
    const idle: DocumentEvent = { type: 'cell-runtime', id: 'c1', runtime: { phase: 'idle', startedAt: null, lastDurationMs: 5 } };
    channel.event(idle);
    channel.event(set('c1', 3));
    channel.flush();

    expect(eventsOf(sent)).toEqual([set('c2', 1), set('c1', 2), idle, set('c1', 3)]);
  });
});
