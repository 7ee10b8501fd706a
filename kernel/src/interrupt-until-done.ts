/**
 * Stopping a request the kernel itself must stop (a cancelled signal, a disk
 * limit with nobody else to stop the cell): one interrupt can be lost, since a
 * kernel drops one that lands between its busy and the cell's code, so it is
 * sent again every `everyMs` until the request is over.
 */

/** How often a request that must stop is interrupted again. */
export const INTERRUPT_REPEAT_MS = 1000;

/**
 * Returns the function that starts interrupting (safe to call twice); it stops
 * by itself once `request` settles. With `signal`, an abort starts it too.
 */
export function interrupter(request: Promise<unknown>, interrupt: () => Promise<unknown>, signal?: AbortSignal, everyMs = INTERRUPT_REPEAT_MS): () => void {
  let started = false;
  const start = (): void => {
    if (started) return;
    started = true;
    const again = (): void => void interrupt().catch(() => undefined);
    again();
    const timer = setInterval(again, everyMs);
    timer.unref();
    void request.finally(() => clearInterval(timer)).catch(() => undefined);
  };
  if (signal) {
    signal.addEventListener('abort', start, { once: true });
    void request.finally(() => signal.removeEventListener('abort', start)).catch(() => undefined);
  }
  return start;
}
