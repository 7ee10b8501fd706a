/**
 * The WebSocket of the notebook the address names, opened by the page's first
 * script (`boot.ts`) while the app's code still loads and starts, and handed to
 * the notebook's `NotebookSocket` (`api/socket.ts`) when it connects. The server's snapshot
 * then travels while the app starts instead of after, and is usually waiting
 * when the app first draws the notebook.
 */

interface EarlySocket {
  url: string;
  ws: WebSocket;
  /** Messages that came before the socket was claimed, in order. */
  received: unknown[];
  keep: (event: MessageEvent) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** An early socket nobody claims (the app opened something else) is closed after this long. */
const UNCLAIMED_MS = 10_000;

let early: EarlySocket | null = null;

function discard(e: EarlySocket): void {
  clearTimeout(e.timer);
  e.ws.removeEventListener('message', e.keep);
  if (e.ws.readyState === WebSocket.CONNECTING || e.ws.readyState === WebSocket.OPEN) e.ws.close(1000, 'not used');
}

/** Opens `url` now and keeps what it receives until {@link claimEarlySocket} takes it. */
export function openEarlySocket(url: string): void {
  if (early !== null || typeof WebSocket === 'undefined') return;
  const ws = new WebSocket(url);
  const received: unknown[] = [];
  const keep = (event: MessageEvent): void => {
    received.push(event.data);
  };
  ws.addEventListener('message', keep);
  const timer = setTimeout(() => {
    if (early?.ws !== ws) return;
    early = null;
    discard({ url, ws, received, keep, timer });
  }, UNCLAIMED_MS);
  early = { url, ws, received, keep, timer };
}

/**
 * The early socket to `url` and what it received so far, once; null when there is
 * none, or it has closed (a new connection finds out why, as any first one does).
 */
export function claimEarlySocket(url: string): { ws: WebSocket; received: unknown[] } | null {
  const e = early;
  if (e === null) return null;
  early = null;
  if (e.url !== url || e.ws.readyState === WebSocket.CLOSING || e.ws.readyState === WebSocket.CLOSED) {
    discard(e);
    return null;
  }
  clearTimeout(e.timer);
  e.ws.removeEventListener('message', e.keep);
  return { ws: e.ws, received: e.received };
}
