/**
 * What Duet accepts from a gateway's channels WebSocket and how it names the
 * gateway: hostile or malformed messages never reach the client, and the token
 * never rides in a URL.
 */
import { describe, expect, it } from 'vitest';
import { Gateway, GatewayError, parseGatewayMessage } from '@duet/kernel';

const good = {
  channel: 'iopub',
  header: { msg_id: 'm1', msg_type: 'stream', session: 's', username: 'u', date: '2026-01-01T00:00:00Z', version: '5.3' },
  parent_header: { msg_id: 'p1', msg_type: 'execute_request' },
  metadata: {},
  content: { name: 'stdout', text: 'hi\n' },
  buffers: [],
};

describe('messages from a gateway', () => {
  it('a well-formed message becomes a wire message on its channel', () => {
    const parsed = parseGatewayMessage(JSON.stringify(good));
    expect(parsed?.channel).toBe('iopub');
    expect(parsed?.message.header.msg_type).toBe('stream');
    expect(parsed?.message.parent_header).toEqual({ msg_id: 'p1' });
    expect(parsed?.message.content).toEqual({ name: 'stdout', text: 'hi\n' });
  });

  it.each([
    ['not JSON', '{"channel": '],
    ['an array', '[1, 2]'],
    ['no channel', JSON.stringify({ ...good, channel: undefined })],
    ['a channel that does not exist', JSON.stringify({ ...good, channel: 'hb' })],
    ['a header that is not an object', JSON.stringify({ ...good, header: 'stream' })],
    ['a header without msg_type', JSON.stringify({ ...good, header: { msg_id: 'x' } })],
    ['a msg_id that is not a string', JSON.stringify({ ...good, header: { ...good.header, msg_id: 7 } })],
  ])('%s is dropped', (_what, text) => {
    expect(parseGatewayMessage(text)).toBeNull();
  });

  it('a parent header that is not an object counts as no parent', () => {
    expect(parseGatewayMessage(JSON.stringify({ ...good, parent_header: 'x' }))?.message.parent_header).toEqual({});
  });
});

describe('a gateway address', () => {
  it('keeps a base path (JupyterHub) and joins the API under it', () => {
    const g = new Gateway({ url: 'https://hub.example.org/user/alice/', token: 't' });
    expect(g.url).toBe('https://hub.example.org/user/alice');
    expect(g.channelsUrl('k-1', 'a b')).toBe('wss://hub.example.org/user/alice/api/kernels/k-1/channels?session_id=a%20b');
    expect(g.headers).toEqual({ Authorization: 'token t' });
  });

  it('takes credentials and a token out of the URL, and an explicit token wins', () => {
    const g = new Gateway({ url: 'http://me:pw@gpu-box:8888/?token=from-url#x', token: 'flag' });
    expect(g.url).toBe('http://gpu-box:8888');
    expect(g.headers.Authorization).toBe('token flag');
  });

  it.each(['gpu-box:8888', 'ftp://gpu-box', 'not a url'])('refuses %s with an example of a good one', (url) => {
    expect(() => new Gateway({ url })).toThrow(GatewayError);
    expect(() => new Gateway({ url })).toThrow(/like http:\/\/gpu-box:8888/);
  });
});
