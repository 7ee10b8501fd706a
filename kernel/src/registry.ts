/**
 * Requests waiting on the kernel, matched by msg_id. A request is complete only
 * when it has both its reply and the kernel's `idle` status for it: outputs may
 * arrive on IOPub after the reply on shell. Disposing rejects every request that
 * is still waiting, with the reason given.
 */
export interface PendingRequest<R> {
  /** IOPub messages whose parent is this request. */
  onIOPub(msg: unknown): void;
  reply: R | null;
  idle: boolean;
  /**
   * What to settle with when the kernel went idle for this request but its reply
   * never came. ipykernel can drop the reply of a request interrupted while it was
   * being set up; without this the request would wait forever.
   */
  replyIfLost?: R;
  resolve(reply: R): void;
  reject(err: Error): void;
}

/** How long a reply may trail its request's idle before it counts as lost. */
export const LOST_REPLY_GRACE_MS = 1500;

export class RequestRegistry {
  readonly #pending = new Map<string, PendingRequest<unknown>>();

  get size(): number {
    return this.#pending.size;
  }

  add<R>(msgId: string, request: PendingRequest<R>): void {
    this.#pending.set(msgId, request as PendingRequest<unknown>);
  }

  get(msgId: string | null): PendingRequest<unknown> | undefined {
    return msgId === null ? undefined : this.#pending.get(msgId);
  }

  /** Records the reply; settles the request when idle has been seen too. */
  replied(msgId: string | null, reply: unknown): void {
    const p = this.get(msgId);
    if (!p || msgId === null) return;
    p.reply = reply;
    this.#settleIfDone(msgId, p);
  }

  /** Records the kernel's idle for the request; settles it when the reply is in. */
  idle(msgId: string | null): void {
    const p = this.get(msgId);
    if (!p || msgId === null) return;
    p.idle = true;
    this.#settleIfDone(msgId, p);
    if (p.reply === null && p.replyIfLost !== undefined) {
      // The reply travels on another socket and may still be on its way: give it time.
      setTimeout(() => {
        if (this.#pending.get(msgId) === p && p.reply === null) this.resolveNow(msgId, p.replyIfLost);
      }, LOST_REPLY_GRACE_MS).unref();
    }
  }

  /** Settles a request on its reply alone (for replies that have no idle, such as control). */
  resolveNow(msgId: string | null, reply: unknown): void {
    const p = this.get(msgId);
    if (!p || msgId === null) return;
    this.#pending.delete(msgId);
    p.resolve(reply);
  }

  remove(msgId: string): void {
    this.#pending.delete(msgId);
  }

  disposeAll(err: Error): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of all) p.reject(err);
  }

  #settleIfDone(msgId: string, p: PendingRequest<unknown>): void {
    if (p.reply !== null && p.idle) {
      this.#pending.delete(msgId);
      p.resolve(p.reply);
    }
  }
}
