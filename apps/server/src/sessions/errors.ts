/**
 * Why the sessions layer refused or could not do something, in its own terms.
 * The transports phrase nothing of their own here: they map each kind to a
 * status code (HTTP) or an error message (WebSocket), and pass `message`, which
 * already says what to change, to the client.
 */

/**
 * - `not-found`: no such notebook or cell.
 * - `conflict`: the notebook's state forbids it now (a run going on, a name taken).
 * - `invalid`: the request itself is wrong (a bad name, a markdown cell asked to run).
 * - `unreadable`: the file exists but is not a notebook Duet can open; it is left as it is.
 * - `too-large`: the notebook would pass its size limit.
 * - `unavailable`: the server is shutting down.
 * - `upstream`: a model server could not be used.
 */
export type SessionErrorKind = 'not-found' | 'conflict' | 'invalid' | 'unreadable' | 'too-large' | 'unavailable' | 'upstream';

/** A refusal a client can act on; `message` is what it is told. */
export class SessionError extends Error {
  override readonly name = 'SessionError';
  constructor(
    readonly kind: SessionErrorKind,
    message: string,
  ) {
    super(message);
  }
}
