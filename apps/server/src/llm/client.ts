import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAI } from 'openai';
import { ModelError, connectionReason, missingV1Hint, redactKey, unreachableMessage } from './errors.ts';

/**
 * An openai-node client for one OpenAI-compatible server. Retries are off because Duet
 * decides itself whether a failed turn is worth another try.
 */
export function createClient(baseUrl: string, apiKey: string | undefined, headersTimeoutMs: number): OpenAI {
  return new OpenAI({
    baseURL: baseUrl,
    // openai-node insists on a key; without one we strip the header below so that a
    // stray OPENAI_API_KEY in the environment is never sent to a local server.
    apiKey: apiKey ?? 'none',
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: Math.max(1, Math.round(headersTimeoutMs)),
    logLevel: 'off',
    ...(apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
  });
}

/** The text a server put in its error body, whatever shape it chose. */
export function serverMessage(error: APIError): string {
  const body: unknown = error.error;
  if (typeof body === 'string') return body;
  if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') {
    return body.message;
  }
  const text = error.message.replace(/^\d{3}\s+/, '');
  return text === 'status code (no body)' ? '(no body)' : text;
}

/** Where a request was going, for messages. */
export interface RequestContext {
  /** The display form of the base URL (see `displayUrl`). */
  url: string;
  apiKey: string | undefined;
  /** The endpoint below the base URL, like `/models`. */
  path: string;
}

/**
 * Turns a failure of an openai-node request (before any body was read) into a
 * {@link ModelError}. Abort errors become `aborted`; callers that time out themselves
 * substitute their own error.
 */
export function translateRequestError(error: unknown, ctx: RequestContext): ModelError {
  if (error instanceof ModelError) return error;
  const { url, apiKey, path } = ctx;
  if (error instanceof APIUserAbortError) {
    return new ModelError('aborted', `The request to the model server at ${url} was stopped.`, { url });
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new ModelError('unreachable', unreachableMessage(url, 'connection timed out'), { url });
  }
  if (error instanceof APIConnectionError) {
    return new ModelError('unreachable', unreachableMessage(url, connectionReason(error.cause)), { url, cause: error.cause });
  }
  if (error instanceof APIError && error.status !== undefined) {
    const status = error.status;
    const said = redactKey(serverMessage(error), apiKey);
    if (status === 404) {
      return new ModelError('not-found', `The model server at ${url} answered 404 Not Found for ${path} (${said}). ${missingV1Hint(url)}`, { url, status });
    }
    const advice =
      status === 401 || status === 403
        ? ' Check --api-key (DUET_API_KEY).'
        : status >= 500
          ? ' The server failed; its own log says why. Is the model loaded and does it fit in memory?'
          : '';
    return new ModelError('http', `The model server at ${url} answered HTTP ${status} for ${path}: ${said}.${advice}`, { url, status });
  }
  const detail = error instanceof Error ? redactKey(error.message, apiKey) : String(error);
  return new ModelError('bad-response', `The model server at ${url} gave an answer Duet could not read for ${path}: ${detail}`, { url, cause: error });
}
