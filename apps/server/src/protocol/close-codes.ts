/**
 * WebSocket close codes the server sends when it detaches browsers from a notebook
 * (4xxx: the application's own), and the longest close reason it sends. Plain
 * constants, shared with the browser so both sides read one list.
 */
export const CLOSE_CODES = {
  /** The file was replaced (an import over it): reconnect for the new content. */
  replaced: 4000,
  /** Renamed; the reason is `renamed to NEW`. */
  renamed: 4001,
  deleted: 4004,
  /** Closed for lack of use; it opens again on the next connection. */
  idle: 4005,
  /** The server is stopping; it may come back. */
  shutdown: 1001,
} as const;

/** A longer close reason is cut to this many characters (WebSocket allows 123 bytes). */
export const MAX_CLOSE_REASON = 120;
