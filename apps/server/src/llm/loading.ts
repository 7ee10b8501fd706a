import { setTimeout as sleep } from 'node:timers/promises';
import { ModelError, formatSeconds } from './errors.ts';
import { DEFAULT_LOADING_BACKOFF, type LoadingBackoff } from './types.ts';
import { setting } from './settings-words.ts';

/** How {@link withLoadingRetry} waits for a server that is loading its model. */
export interface LoadingRetryOptions {
  /** How long to keep asking, counted from the first try. */
  timeoutMs: number;
  /** Aborting it ends the wait with a `ModelError` of kind `aborted`. */
  signal?: AbortSignal;
  /** Called before each wait with the time waited so far and the server's words, for "loading… 23 s". */
  onLoading?: (waitedMs: number, detail: string) => void;
  /** Default 0.5 s doubling to 5 s. */
  backoff?: LoadingBackoff;
  /** The option that raises `timeoutMs`, named in the final error; default `--first-token-timeout`. */
  timeoutFlag?: string;
}

/**
 * Runs `fn`, and runs it again while it fails with a retryable {@link ModelError} (a
 * server's 503 "Loading model"), waiting between tries, until `timeoutMs` has passed since
 * the first; then throws a `ModelError` of kind `loading` that says how long it waited.
 * Any other failure is thrown at once. For requests like listing models at start; the chat
 * stream does the same itself so that it can report the wait as it goes.
 */
export async function withLoadingRetry<T>(fn: () => Promise<T>, opts: LoadingRetryOptions): Promise<T> {
  const started = performance.now();
  const backoff = opts.backoff ?? DEFAULT_LOADING_BACKOFF;
  let delay = backoff.initialMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof ModelError) || !error.retryable) throw error;
      const waited = performance.now() - started;
      const left = opts.timeoutMs - waited;
      if (left <= 0) throw stillLoadingError(error, opts.timeoutMs, opts.timeoutFlag);
      opts.onLoading?.(Math.round(waited), error.serverMessage ?? error.message);
      try {
        await sleep(Math.min(delay, left), undefined, opts.signal === undefined ? undefined : { signal: opts.signal });
      } catch {
        throw new ModelError('aborted', `Waiting for the model server at ${error.url} to load the model was stopped.`, { url: error.url });
      }
      delay = nextLoadingDelay(delay, backoff);
    }
  }
}

/** The wait after `delay`: doubled, at most `backoff.maxMs`. */
export function nextLoadingDelay(delay: number, backoff: LoadingBackoff): number {
  return Math.min(delay * 2, backoff.maxMs);
}

/** The final error once Duet stopped waiting for a loading model; `last` is the server's last 503. */
export function stillLoadingError(last: ModelError, waitedMs: number, timeoutFlag = setting('first-token-timeout')): ModelError {
  const said = last.serverMessage === undefined ? '' : ` ("${last.serverMessage}")`;
  return new ModelError(
    'loading',
    `The model server at ${last.url} was still loading the model after ${formatSeconds(Math.round(waitedMs))}${said}. Try again once it has loaded, or raise ${timeoutFlag} to wait longer.`,
    {
      url: last.url,
      ...(last.status === undefined ? {} : { status: last.status }),
      ...(last.serverMessage === undefined ? {} : { serverMessage: last.serverMessage }),
    },
  );
}
