/** Errors the kernel client raises. Each says what happened and what to do. */

/** A message from the kernel that failed the wire checks; it was dropped, never delivered. */
export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    readonly reason: 'malformed' | 'bad-signature' | 'replayed',
    message: string,
  ) {
    super(message);
  }
}

/** The kernel process exited or stopped answering its heartbeat. */
export class KernelDiedError extends Error {
  override readonly name: string = 'KernelDied';
  constructor(readonly detail: string) {
    super(`The kernel died (${detail}). Restart the kernel to go on; the notebook is kept.`);
  }
}

/**
 * A kernel on a gateway that Duet can no longer reach: the gateway no longer has
 * it (culled, deleted, the gateway restarted), or the gateway stopped answering.
 */
export class KernelLostError extends KernelDiedError {
  override readonly name = 'KernelLost';
  constructor(detail: string) {
    super(detail);
    this.message = `The remote kernel was lost (${detail}). Restart the kernel to go on with a new one; the notebook is kept.`;
  }
}

/** The kernel could not be started. */
export class KernelStartError extends Error {
  override readonly name = 'KernelStartError';
}

/** A request that was cancelled by its caller or by the session's shutdown. */
export class RequestDisposedError extends Error {
  override readonly name = 'RequestDisposed';
}
