import { describe, expect, it } from 'vitest';
import { SseDecoder, type SseEvent } from '@duet/server';

/** Decodes a whole body given in pieces. */
function decode(pieces: readonly string[]): SseEvent[] {
  const decoder = new SseDecoder();
  return [...pieces.flatMap((piece) => decoder.push(piece)), ...decoder.end()];
}

const data = (text: string, extra: Record<string, string> = {}): SseEvent => ({ data: text, extra });

describe('SseDecoder', () => {
  it.each([
    { name: 'splits events at blank lines (LF)', body: 'data: a\n\ndata: b\n\n', events: [data('a'), data('b')] },
    { name: 'splits events at blank lines (CRLF)', body: 'data: a\r\n\r\ndata: b\r\n\r\n', events: [data('a'), data('b')] },
    { name: 'splits events at blank lines (CR)', body: 'data: a\r\rdata: b\r\r', events: [data('a'), data('b')] },
    { name: 'joins multi-line data with newlines', body: 'data: {"a":\ndata: 1}\n\n', events: [data('{"a":\n1}')] },
    { name: 'skips comments, `: ping` and a lone `:` alike', body: ': ping\n\n:\n\ndata: x\n\n', events: [data('x')] },
    { name: 'strips one space after the colon, and only one', body: 'data:a\n\ndata:  b\n\n', events: [data('a'), data(' b')] },
    { name: 'reads a field without a colon as an empty value', body: 'data\n\n', events: [data('')] },
    { name: 'keeps the event name (LM Studio `event: error`)', body: 'event: error\ndata: {"message":"m"}\n\n', events: [{ event: 'error', data: '{"message":"m"}', extra: {} }] },
    { name: 'dispatches `data: [DONE]` left without a blank line', body: 'data: a\n\ndata: [DONE]', events: [data('a'), data('[DONE]')] },
    { name: 'dispatches the last event when the body ends after its line', body: 'data: [DONE]\n', events: [data('[DONE]')] },
    {
      name: 'keeps the non-standard `error:` field of llama.cpp before PR #16109 as an event',
      body: 'error: {"code":400,"message":"m"}\n\ndata: [DONE]\n\n',
      events: [data('', { error: '{"code":400,"message":"m"}' }), data('[DONE]')],
    },
    { name: 'ignores the reconnection fields', body: 'id: 7\nretry: 100\ndata: a\n\n', events: [data('a')] },
    { name: 'drops an event with neither data nor other fields', body: 'event: ping\n\ndata: a\n\n', events: [data('a')] },
    { name: 'skips a byte-order mark at the start', body: '\ufeffdata: a\n\n', events: [data('a')] },
  ])('$name', ({ body, events }) => {
    expect(decode([body])).toEqual(events);
  });

  it.each([
    { name: 'LF', body: 'data: {"x":1}\n\n: ping\n\ndata: two\ndata: lines\n\ndata: [DONE]\n\n' },
    { name: 'CRLF', body: 'data: {"x":1}\r\n\r\n: ping\r\n\r\ndata: two\r\ndata: lines\r\n\r\ndata: [DONE]\r\n\r\n' },
    { name: 'CR', body: 'data: {"x":1}\r\r: ping\r\rdata: two\rdata: lines\r\rdata: [DONE]\r\r' },
  ])('gives the same events wherever a $name body is cut in two', ({ body }) => {
    const whole = decode([body]);
    expect(whole).toEqual([data('{"x":1}'), data('two\nlines'), data('[DONE]')]);
    for (let cut = 1; cut < body.length; cut++) {
      expect(decode([body.slice(0, cut), body.slice(cut)]), `cut at ${cut}`).toEqual(whole);
    }
  });

  it('gives the same events when a body arrives one character at a time', () => {
    const body = 'data: a\r\n\r\nerror: {"m":1}\r\n\r\nevent: error\r\ndata: {}\r\n\r\ndata: [DONE]';
    expect(decode(Array.from(body))).toEqual(decode([body]));
  });
});
