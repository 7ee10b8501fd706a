/**
 * Why the server closed a notebook's WebSocket, read from the close code and
 * reason, and why a notebook could not be opened, read from the HTTP status the
 * server gives for it. Pure, so the page's reactions can be tested without one.
 */

import { CLOSE_CODES, MAX_CLOSE_REASON } from '@duet/server/protocol';

export { CLOSE_CODES, MAX_CLOSE_REASON };

/** What a closed connection means for the page. */
export type ServerClose =
  | { kind: 'deleted' }
  | { kind: 'renamed'; to: string }
  | { kind: 'replaced' }
  /** Idle, shutdown, a dropped network, or anything unknown: reconnect with backoff. */
  | { kind: 'lost' };

const RENAMED = /^renamed to (.+)$/s;

/** The new name in a `renamed to NEW` close reason, or null when the reason is not one. */
export function renamedTo(reason: string): string | null {
  const name = RENAMED.exec(reason)?.[1];
  return name === undefined || name.trim() === '' ? null : name;
}

/** Reads a close event. A rename whose reason cannot be read is treated as lost: the reconnect then finds the notebook gone. */
export function classifyClose(code: number, reason: string): ServerClose {
  switch (code) {
    case CLOSE_CODES.deleted:
      return { kind: 'deleted' };
    case CLOSE_CODES.renamed: {
      const to = renamedTo(reason);
      return to === null ? { kind: 'lost' } : { kind: 'renamed', to };
    }
    case CLOSE_CODES.replaced:
      return { kind: 'replaced' };
    default:
      return { kind: 'lost' };
  }
}

/**
 * The notebook a rename went to. The server cuts long close reasons, so a name
 * that reached the cut may be only the start of the real one: then the one
 * listed notebook it begins is taken, when there is exactly one.
 */
export function renamedTarget(to: string, listed: readonly string[]): string {
  if (listed.includes(to) || `renamed to ${to}`.length < MAX_CLOSE_REASON) return to;
  const candidates = listed.filter((name) => name.startsWith(to));
  return candidates.length === 1 ? (candidates[0] as string) : to;
}

/** Why a notebook cannot be opened, by the kind of answer that says so. */
export type UnavailableReason = 'missing' | 'bad-name' | 'broken' | 'forbidden';

/**
 * What an HTTP status for `GET /api/notebooks/NAME` says about opening it, or
 * null when retrying may help (it opened, the server is unreachable (0), busy or
 * failing for a moment).
 */
export function unavailableReason(status: number): UnavailableReason | null {
  switch (status) {
    case 400:
      return 'bad-name';
    case 404:
      return 'missing';
    case 422:
      return 'broken';
    case 401:
    case 403:
      return 'forbidden';
    default:
      return null;
  }
}
