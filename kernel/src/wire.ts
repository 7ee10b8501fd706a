/**
 * The Jupyter wire codec: multipart frames ⇄ messages, signed with HMAC-SHA256.
 *
 * It fails closed. A message whose signature does not match, that was seen before,
 * or whose frames are not what the protocol says is rejected with a
 * {@link WireError}; nothing unchecked is ever handed on. The kernel holds the key
 * too, and runs model-written code, so its messages are treated as hostile input.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WireError } from './errors.ts';

export const DELIMITER = Buffer.from('<IDS|MSG>');

/** A message header as the protocol defines it (v5.3). */
export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

/** A decoded message. `content` is unchecked JSON: narrow it with the guards in messages.ts. */
export interface WireMessage {
  identities: Buffer[];
  header: MessageHeader;
  /** Empty object when the message has no parent. */
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: unknown;
  buffers: Buffer[];
}

/** Signs and checks messages for one connection (one key). */
export class WireCodec {
  readonly #key: Buffer;
  readonly #seen: ReplayGuard;

  constructor(key: string, replayWindow = 4096) {
    this.#key = Buffer.from(key, 'utf8');
    this.#seen = new ReplayGuard(replayWindow);
  }

  /** The signature of the four JSON parts, as hex. An empty key signs nothing. */
  sign(parts: readonly Buffer[]): string {
    if (this.#key.length === 0) return '';
    const hmac = createHmac('sha256', this.#key);
    for (const part of parts) hmac.update(part);
    return hmac.digest('hex');
  }

  encode(msg: Omit<WireMessage, 'identities' | 'buffers'> & { identities?: Buffer[]; buffers?: Buffer[] }): Buffer[] {
    const parts = [
      Buffer.from(JSON.stringify(msg.header)),
      Buffer.from(JSON.stringify(msg.parent_header)),
      Buffer.from(JSON.stringify(msg.metadata)),
      Buffer.from(JSON.stringify(msg.content)),
    ];
    return [...(msg.identities ?? []), DELIMITER, Buffer.from(this.sign(parts)), ...parts, ...(msg.buffers ?? [])];
  }

  /** Checks and decodes one multipart message, or throws {@link WireError}. */
  decode(frames: readonly Buffer[]): WireMessage {
    const at = frames.findIndex((f) => f.equals(DELIMITER));
    if (at < 0) throw new WireError('malformed', 'message has no <IDS|MSG> delimiter');
    if (frames.length < at + 6) throw new WireError('malformed', `message has ${frames.length - at - 1} frames after the delimiter, expected at least 5`);
    const signature = frames[at + 1] as Buffer;
    const parts = frames.slice(at + 2, at + 6);
    if (this.#key.length > 0) {
      const expected = Buffer.from(this.sign(parts));
      if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
        throw new WireError('bad-signature', 'message signature does not match the connection key');
      }
      // Only after the signature holds: a forged message must not fill the window.
      if (!this.#seen.add(signature.toString('latin1'))) {
        throw new WireError('replayed', 'message signature was already seen (replay)');
      }
    }
    const [header, parent, metadata, content] = parts.map((p, i) => parseJson(p, PART_NAMES[i] as string));
    if (!isHeader(header)) throw new WireError('malformed', 'message header lacks msg_id, msg_type or session');
    if (!isObject(parent)) throw new WireError('malformed', 'parent_header is not an object');
    if (!isObject(metadata)) throw new WireError('malformed', 'metadata is not an object');
    if (!isObject(content)) throw new WireError('malformed', 'content is not an object');
    return {
      identities: frames.slice(0, at),
      header,
      parent_header: parent as Partial<MessageHeader>,
      metadata,
      content,
      buffers: frames.slice(at + 6),
    };
  }
}

const PART_NAMES = ['header', 'parent_header', 'metadata', 'content'];

function parseJson(part: Buffer, name: string): unknown {
  try {
    return JSON.parse(part.toString('utf8'));
  } catch {
    throw new WireError('malformed', `${name} is not valid JSON`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isHeader(v: unknown): v is MessageHeader {
  return isObject(v) && typeof v.msg_id === 'string' && typeof v.msg_type === 'string' && typeof v.session === 'string';
}

/**
 * Remembers the last `capacity` signatures. A set plus a ring buffer: O(1) per
 * message and bounded memory however long the kernel lives.
 */
export class ReplayGuard {
  readonly #set = new Set<string>();
  readonly #ring: (string | undefined)[];
  #next = 0;

  constructor(readonly capacity: number) {
    this.#ring = new Array<string | undefined>(capacity);
  }

  /** False when `sig` is already in the window. */
  add(sig: string): boolean {
    if (this.#set.has(sig)) return false;
    const evicted = this.#ring[this.#next];
    if (evicted !== undefined) this.#set.delete(evicted);
    this.#ring[this.#next] = sig;
    this.#next = (this.#next + 1) % this.capacity;
    this.#set.add(sig);
    return true;
  }
}
