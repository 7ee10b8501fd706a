/** Errors the HTTP layer turns into `{error}` responses with their status code. */
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../log.ts';

/** A refusal or failure a client can act on; `message` is what the client is told. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Sends `{error}` with a status code. */
export function sendError(res: Response, status: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status).json({ error: message });
}

/**
 * The last middleware: HttpErrors say what they say; body-parser and URL
 * decoding failures keep their 4xx status; anything else is a 500 whose detail
 * goes to the log, not to the client.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof HttpError) return sendError(res, err.status, err.message);
    const status = statusOf(err);
    if (status !== undefined && status >= 400 && status < 500) {
      const message = status === 413 ? 'The request body is too large.' : err instanceof Error ? err.message : 'Bad request';
      return sendError(res, status, message);
    }
    log.error({ err, method: req.method, path: req.path }, 'request failed');
    sendError(res, 500, 'The server failed on this request; the details are in the server log (logs/).');
  };
}

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const v = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  return typeof v === 'number' ? v : undefined;
}
