/** Why the browsers watching an open notebook are detached from it; each transport says it its own way. */
export type Detach =
  /** The file was replaced (an import over it): reconnecting gives the new content. */
  | { kind: 'replaced' }
  /** Renamed: reconnect under the new name. */
  | { kind: 'renamed'; to: string }
  | { kind: 'deleted' }
  /** Closed for lack of use; it opens again on the next connection. */
  | { kind: 'idle' }
  /** The server is stopping; it may come back. */
  | { kind: 'shutdown' };
