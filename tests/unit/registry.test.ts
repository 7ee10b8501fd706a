import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOST_REPLY_GRACE_MS, RequestRegistry } from '@duet/kernel';

function pending(registry: RequestRegistry, id: string, replyIfLost?: string) {
  const settled: { value?: unknown; error?: Error } = {};
  registry.add<unknown>(id, {
    onIOPub: () => {},
    reply: null,
    idle: false,
    ...(replyIfLost !== undefined ? { replyIfLost } : {}),
    resolve: (v) => (settled.value = v),
    reject: (e) => (settled.error = e),
  });
  return settled;
}

describe('RequestRegistry', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('settles a request only when both its reply and its idle have arrived, in either order', () => {
    const registry = new RequestRegistry();
    const a = pending(registry, 'a');
    const b = pending(registry, 'b');
    registry.replied('a', 'reply-a');
    registry.idle('b');
    expect(a.value).toBeUndefined();
    expect(b.value).toBeUndefined();
    registry.idle('a');
    registry.replied('b', 'reply-b');
    expect(a.value).toBe('reply-a');
    expect(b.value).toBe('reply-b');
    expect(registry.size).toBe(0);
  });

  it('settles with the stand-in reply when the kernel went idle and the reply never came', () => {
    vi.useFakeTimers();
    const registry = new RequestRegistry();
    const lost = pending(registry, 'lost', 'aborted');
    registry.idle('lost');
    vi.advanceTimersByTime(LOST_REPLY_GRACE_MS - 1);
    expect(lost.value).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(lost.value).toBe('aborted');
  });

  it('prefers a reply that trails the idle within the grace period', () => {
    vi.useFakeTimers();
    const registry = new RequestRegistry();
    const late = pending(registry, 'late', 'aborted');
    registry.idle('late');
    registry.replied('late', 'real');
    vi.advanceTimersByTime(LOST_REPLY_GRACE_MS * 2);
    expect(late.value).toBe('real');
  });

  it('rejects everything still waiting when disposed, with the reason given', () => {
    const registry = new RequestRegistry();
    const a = pending(registry, 'a');
    registry.disposeAll(new Error('kernel died'));
    expect(a.error?.message).toBe('kernel died');
    expect(registry.size).toBe(0);
  });
});
