import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAI } from 'openai';
import { ModelError, connectionReason, redactKey, unreachableMessage } from './errors.ts';
import { refusalError } from './refusal.ts';
import { readErrorBody, type ServerErrorFacts } from './server-error.ts';

/**
 * The whole body of each failed response, keyed by the error openai-node made of it.
 * openai-node keeps only `body.error`, so a flat vLLM body (`{"object":"error","message":…}`)
 * would reach the user as "(no body)".
 */
const errorBodies = new WeakMap<APIError, unknown>();

/** An openai-node client that remembers each error body whole. */
class WholeBodyOpenAI extends OpenAI {
  protected override makeStatusError(status: number, error: object, message: string | undefined, headers: Headers): APIError {
    const made = super.makeStatusError(status, error, message, headers);
    // openai-node passes the parsed JSON body, or `undefined` and the raw text when it was not JSON.
    errorBodies.set(made, (error as unknown) ?? message);
    return made;
  }
}

/**
 * An openai-node client for one OpenAI-compatible server. Retries are off because Duet
 * decides itself whether a failed turn is worth another try. `headersTimeoutMs` bounds
 * the wait for the response headers only.
 */
export function createClient(baseUrl: string, apiKey: string | undefined, headersTimeoutMs: number): OpenAI {
  return new WholeBodyOpenAI({
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

/** What the server said in a failed response, read from its whole body. */
export function errorFacts(error: APIError): ServerErrorFacts | undefined {
  const body = errorBodies.has(error) ? errorBodies.get(error) : error.error;
  return readErrorBody(body);
}

/** Where a request was going, for messages. */
export interface RequestContext {
  /** The display form of the base URL (see `displayUrl`). */
  url: string;
  apiKey: string | undefined;
  /** The endpoint below the base URL, like `/models`. */
  path: string;
  /** The model the request named, when it named one. */
  model?: string;
}

/**
 * Turns a failure of an openai-node request (before any body was read) into a
 * {@link ModelError}: error statuses by the server's own words (see `refusalError`),
 * abort errors as `aborted`; callers that time out themselves substitute their own error.
 */
export function translateRequestError(error: unknown, ctx: RequestContext): ModelError {
  if (error instanceof ModelError) return error;
  const { url, apiKey } = ctx;
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
    return refusalError(error.status, errorFacts(error), { ...ctx, moment: 'response', cause: error });
  }
  const detail = error instanceof Error ? redactKey(error.message, apiKey) : String(error);
  return new ModelError('bad-response', `The model server at ${url} gave an answer Duet could not read for ${ctx.path}: ${detail}`, { url, cause: error });
}
