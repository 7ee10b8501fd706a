import { describe, expect, it } from 'vitest';
import { DELIMITER, ReplayGuard, WireCodec, WireError, type MessageHeader } from '@duet/kernel';

const KEY = 'a3f1c0de-5eed-4c0f-9e2b-7d1e2c3b4a59';

function header(overrides: Partial<MessageHeader> = {}): MessageHeader {
  return {
    msg_id: 'm-1',
    msg_type: 'execute_request',
    session: 's-1',
    username: 'duet',
    date: '2025-01-01T00:00:00.000Z',
    version: '5.3',
    ...overrides,
  };
}

function encodeOne(codec: WireCodec, msgId = 'm-1'): Buffer[] {
  return codec.encode({ header: header({ msg_id: msgId }), parent_header: {}, metadata: {}, content: { code: 'x = 1' } });
}

/** Frames whose four JSON parts are given raw and signed correctly, so only their shape is wrong. */
function signedRaw(codec: WireCodec, parts: [string, string, string, string]): Buffer[] {
  const bufs = parts.map((p) => Buffer.from(p));
  return [DELIMITER, Buffer.from(codec.sign(bufs)), ...bufs];
}

/** Replaces frame `index` of the frames with `frame`. */
function withFrame(frames: Buffer[], index: number, frame: Buffer): Buffer[] {
  return frames.map((f, i) => (i === index ? frame : f));
}

function decodeError(codec: WireCodec, frames: Buffer[]): WireError {
  try {
    codec.decode(frames);
  } catch (err) {
    if (err instanceof WireError) return err;
    throw err;
  }
  throw new Error('decode accepted a message it should have rejected');
}

describe('WireCodec', () => {
  it('round-trips a message with identities and buffers', () => {
    const codec = new WireCodec(KEY);
    const identities = [Buffer.from('router-id-1'), Buffer.from([0, 1, 2, 255])];
    const buffers = [Buffer.from([9, 8, 7]), Buffer.alloc(0), Buffer.from('binary\u0000payload')];
    const msg = {
      identities,
      header: header({ msg_type: 'display_data' }),
      parent_header: header({ msg_id: 'parent-7' }),
      metadata: { tag: 'ü ✓' },
      content: { data: { 'text/plain': 'x' }, metadata: {} },
      buffers,
    };

    const frames = codec.encode(msg);
    const decoded = new WireCodec(KEY).decode(frames);

    expect(frames[identities.length]).toEqual(DELIMITER);
    expect(decoded).toEqual(msg);
  });

  it('signs the four JSON parts with HMAC-SHA256 as lowercase hex', () => {
    const frames = encodeOne(new WireCodec(KEY));
    expect(frames[1]?.toString()).toMatch(/^[0-9a-f]{64}$/);
  });

  interface RejectCase {
    name: string;
    frames: (codec: WireCodec) => Buffer[];
    reason: WireError['reason'];
  }

  // Frames of an encoded message with no identities: 0 delimiter, 1 signature, 2 header, 3 parent, 4 metadata, 5 content.
  const rejected: RejectCase[] = [
    {
      name: 'a tampered header',
      frames: (c) => withFrame(encodeOne(c), 2, Buffer.from(JSON.stringify(header({ msg_type: 'shutdown_request' })))),
      reason: 'bad-signature',
    },
    {
      name: 'tampered content',
      frames: (c) => withFrame(encodeOne(c), 5, Buffer.from(JSON.stringify({ code: 'import os; os.system("rm -rf ~")' }))),
      reason: 'bad-signature',
    },
    {
      name: 'a tampered signature (one hex digit changed)',
      frames: (c) => {
        const frames = encodeOne(c);
        const sig = (frames[1] as Buffer).toString();
        return withFrame(frames, 1, Buffer.from((sig[0] === '0' ? '1' : '0') + sig.slice(1)));
      },
      reason: 'bad-signature',
    },
    { name: 'a signature of the wrong length', frames: (c) => withFrame(encodeOne(c), 1, Buffer.from('abc')), reason: 'bad-signature' },
    { name: 'an empty signature', frames: (c) => withFrame(encodeOne(c), 1, Buffer.alloc(0)), reason: 'bad-signature' },
    { name: 'a message signed with another key', frames: () => encodeOne(new WireCodec('some-other-key')), reason: 'bad-signature' },
    { name: 'fewer than five frames after the delimiter', frames: (c) => encodeOne(c).slice(0, 5), reason: 'malformed' },
    { name: 'nothing after the delimiter', frames: () => [Buffer.from('id'), DELIMITER], reason: 'malformed' },
    { name: 'no delimiter at all', frames: (c) => encodeOne(c).slice(1), reason: 'malformed' },
    { name: 'no frames at all', frames: () => [], reason: 'malformed' },
    { name: 'a header that is not JSON', frames: (c) => signedRaw(c, ['{"msg_id":', '{}', '{}', '{}']), reason: 'malformed' },
    { name: 'content that is not JSON', frames: (c) => signedRaw(c, [JSON.stringify(header()), '{}', '{}', 'not json']), reason: 'malformed' },
    { name: 'a parent header that is not JSON', frames: (c) => signedRaw(c, [JSON.stringify(header()), '\u0000', '{}', '{}']), reason: 'malformed' },
    {
      name: 'a header without msg_type',
      frames: (c) => signedRaw(c, [JSON.stringify({ msg_id: 'm', session: 's' }), '{}', '{}', '{}']),
      reason: 'malformed',
    },
    {
      name: 'a header without msg_id',
      frames: (c) => signedRaw(c, [JSON.stringify({ msg_type: 'status', session: 's' }), '{}', '{}', '{}']),
      reason: 'malformed',
    },
    {
      name: 'a header whose msg_id is not a string',
      frames: (c) => signedRaw(c, [JSON.stringify(header({ msg_id: 7 as unknown as string })), '{}', '{}', '{}']),
      reason: 'malformed',
    },
    { name: 'a header that is an array', frames: (c) => signedRaw(c, ['[]', '{}', '{}', '{}']), reason: 'malformed' },
    { name: 'content that is an array', frames: (c) => signedRaw(c, [JSON.stringify(header()), '{}', '{}', '[1,2]']), reason: 'malformed' },
    { name: 'content that is a string', frames: (c) => signedRaw(c, [JSON.stringify(header()), '{}', '{}', '"text"']), reason: 'malformed' },
    { name: 'content that is null', frames: (c) => signedRaw(c, [JSON.stringify(header()), '{}', '{}', 'null']), reason: 'malformed' },
    { name: 'metadata that is a number', frames: (c) => signedRaw(c, [JSON.stringify(header()), '{}', '3', '{}']), reason: 'malformed' },
    { name: 'a parent header that is null', frames: (c) => signedRaw(c, [JSON.stringify(header()), 'null', '{}', '{}']), reason: 'malformed' },
  ];

  it.each(rejected)('rejects $name as $reason', ({ frames, reason }) => {
    const codec = new WireCodec(KEY);
    expect(decodeError(codec, frames(codec)).reason).toBe(reason);
  });

  it('rejects the second delivery of the same frames as replayed', () => {
    const codec = new WireCodec(KEY);
    const frames = encodeOne(codec);

    expect(codec.decode(frames).header.msg_id).toBe('m-1');
    expect(decodeError(codec, frames).reason).toBe('replayed');
  });

  it('accepts distinct messages one after another', () => {
    const codec = new WireCodec(KEY);
    for (let i = 0; i < 100; i++) expect(codec.decode(encodeOne(codec, `m-${i}`)).header.msg_id).toBe(`m-${i}`);
  });

  it('does not let a forged message take a place in the replay window', () => {
    const codec = new WireCodec(KEY);
    const genuine = encodeOne(codec);
    // The forgery carries the genuine signature over other content: refused, and not remembered.
    const forged = withFrame(genuine, 5, Buffer.from('{"code":"evil"}'));

    expect(decodeError(codec, forged).reason).toBe('bad-signature');
    expect(codec.decode(genuine).header.msg_id).toBe('m-1');
  });

  it('forgets signatures that fell out of the replay window', () => {
    const codec = new WireCodec(KEY, 2);
    const [a, b, c] = ['a', 'b', 'c'].map((id) => encodeOne(codec, id)) as [Buffer[], Buffer[], Buffer[]];
    codec.decode(a);
    codec.decode(b);
    codec.decode(c);

    expect(decodeError(codec, c).reason).toBe('replayed');
    expect(codec.decode(a).header.msg_id).toBe('a');
  });

  describe('with an empty key', () => {
    it('signs nothing and accepts unsigned messages', () => {
      const codec = new WireCodec('');
      const frames = encodeOne(codec);

      expect(frames[1]?.length).toBe(0);
      expect(codec.decode(frames).content).toEqual({ code: 'x = 1' });
    });

    it('still rejects malformed messages', () => {
      const codec = new WireCodec('');
      expect(decodeError(codec, signedRaw(codec, [JSON.stringify(header()), '{}', '{}', '[]'])).reason).toBe('malformed');
      expect(decodeError(codec, [DELIMITER, Buffer.alloc(0)]).reason).toBe('malformed');
    });
  });
});

describe('ReplayGuard', () => {
  it('refuses a signature already in the window', () => {
    const guard = new ReplayGuard(3);
    expect(guard.add('a')).toBe(true);
    expect(guard.add('b')).toBe(true);
    expect(guard.add('a')).toBe(false);
  });

  it('evicts the oldest signature once the window is full, and only that one', () => {
    const guard = new ReplayGuard(3);
    for (const sig of ['a', 'b', 'c', 'd']) expect(guard.add(sig)).toBe(true);

    expect(guard.add('b')).toBe(false);
    expect(guard.add('c')).toBe(false);
    expect(guard.add('d')).toBe(false);
    expect(guard.add('a')).toBe(true);
  });

  it('keeps a bounded window however many signatures pass', () => {
    const guard = new ReplayGuard(100);
    for (let i = 0; i < 10_000; i++) guard.add(`sig-${i}`);

    expect(guard.add('sig-9999')).toBe(false);
    expect(guard.add('sig-9900')).toBe(false);
    expect(guard.add('sig-9899')).toBe(true);
  });
});
