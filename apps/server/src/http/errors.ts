/**
 * Errors the HTTP layer turns into `{error}` responses with their status code,
 * and the sessions layer's refusals and detaches in HTTP and WebSocket terms.
 */
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../log.ts';
import { CLOSE_CODES, MAX_CLOSE_REASON } from '../protocol/close-codes.ts';
import { SessionError, type Detach, type SessionErrorKind } from '../sessions/index.ts';
import { assertNever } from '../util/assert-never.ts';

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

/** The HTTP status of a sessions-layer refusal. */
export function sessionStatus(kind: SessionErrorKind): number {
  switch (kind) {
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'invalid':
      return 400;
    case 'unreadable':
      return 422;
    case 'too-large':
      return 413;
    case 'unavailable':
      return 503;
    case 'upstream':
      return 502;
    default:
      return assertNever(kind, 'session error kind');
  }
}

/** A refusal a client is told as it is (an {@link HttpError} or a {@link SessionError}), with its status; null for anything else. */
export function clientRefusal(err: unknown): { status: number; message: string } | null {
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  if (err instanceof SessionError) return { status: sessionStatus(err.kind), message: err.message };
  return null;
}

/** The WebSocket close code and reason that tell a browser why it was detached (see `apps/notebook`'s close handling). */
export function closeFrame(why: Detach): { code: number; reason: string } {
  switch (why.kind) {
    case 'replaced':
      return { code: CLOSE_CODES.replaced, reason: 'replaced' };
    case 'renamed':
      return { code: CLOSE_CODES.renamed, reason: `renamed to ${why.to}`.slice(0, MAX_CLOSE_REASON) };
    case 'deleted':
      return { code: CLOSE_CODES.deleted, reason: 'deleted' };
    case 'idle':
      return { code: CLOSE_CODES.idle, reason: 'idle' };
    case 'shutdown':
      return { code: CLOSE_CODES.shutdown, reason: 'server shutting down' };
    default:
      return assertNever(why, 'detach');
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
 * The last middleware: HttpErrors and SessionErrors say what they say; body-parser and URL
 * decoding failures keep their 4xx status; anything else is a 500 whose detail
 * goes to the log, not to the client.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const refusal = clientRefusal(err);
    if (refusal) return sendError(res, refusal.status, refusal.message);
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
