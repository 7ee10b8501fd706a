import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { claimEarlySocket, notebookFromHash, openEarlySocket } from '@duet/notebook';

/** Just enough of the browser's WebSocket: listeners, a ready state, and close. */
class FakeWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static made: FakeWebSocket[] = [];
  readyState = FakeWebSocket.CONNECTING;
  closedWith: number | null = null;
  readonly #listeners = new Set<(event: { data: unknown }) => void>();

  constructor(readonly url: string) {
    FakeWebSocket.made.push(this);
  }

  addEventListener(_type: 'message', fn: (event: { data: unknown }) => void): void {
    this.#listeners.add(fn);
  }

  removeEventListener(_type: 'message', fn: (event: { data: unknown }) => void): void {
    this.#listeners.delete(fn);
  }

  close(code: number): void {
    this.closedWith = code;
    this.readyState = FakeWebSocket.CLOSED;
  }

  /** The server sends `data`. */
  receive(data: string): void {
    this.readyState = FakeWebSocket.OPEN;
    for (const fn of this.#listeners) fn({ data });
  }
}

const URL_A = 'ws://127.0.0.1:1/api/notebooks/a/ws';
const URL_B = 'ws://127.0.0.1:1/api/notebooks/b/ws';

beforeEach(() => {
  FakeWebSocket.made = [];
  vi.stubGlobal('WebSocket', FakeWebSocket);
});

afterEach(() => {
  // Nothing may be left for the next test to claim.
  claimEarlySocket('');
  vi.unstubAllGlobals();
});

describe('the socket the page opens before the app has loaded', () => {
  it('is handed over once, with what it received meanwhile, in order', () => {
    openEarlySocket(URL_A);
    const [ws] = FakeWebSocket.made;
    ws?.receive('{"type":"snapshot","seq":1}');
    ws?.receive('{"type":"event","seq":2}');

    const claimed = claimEarlySocket(URL_A);
    expect(claimed?.ws).toBe(ws);
    expect(claimed?.received).toEqual(['{"type":"snapshot","seq":1}', '{"type":"event","seq":2}']);
    // What comes after the hand-over is the new owner's, not the buffer's.
    ws?.receive('{"type":"event","seq":3}');
    expect(claimed?.received).toHaveLength(2);
    expect(claimEarlySocket(URL_A)).toBeNull();
  });

  it('is closed, not handed over, when the app opens another notebook', () => {
    openEarlySocket(URL_A);
    expect(claimEarlySocket(URL_B)).toBeNull();
    expect(FakeWebSocket.made[0]?.closedWith).toBe(1000);
  });

  it('is not handed over once it has closed: a new connection finds out why', () => {
    openEarlySocket(URL_A);
    FakeWebSocket.made[0]?.close(4404);
    expect(claimEarlySocket(URL_A)).toBeNull();
  });
});

describe('the notebook the address names', () => {
  it('is the hash, percent-decoded', () => {
    expect(notebookFromHash('#my%20notebook')).toBe('my notebook');
    expect(notebookFromHash('#plain')).toBe('plain');
  });

  it('is none for no hash, the scoreboard, or a hash that does not decode', () => {
    expect(notebookFromHash('')).toBeNull();
    expect(notebookFromHash('#')).toBeNull();
    expect(notebookFromHash('#/scoreboard')).toBeNull();
    expect(notebookFromHash('#/scoreboard/run-1')).toBeNull();
    expect(notebookFromHash('#%E0%A4%A')).toBeNull();
  });
});
