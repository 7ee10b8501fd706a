import { phrase, setting, type Audience } from './settings-words.ts';

/** What went wrong talking to a model server. */
export type ModelErrorKind =
  /** No connection could be made (refused, unknown host, TLS failure). */
  | 'unreachable'
  /** The server answered with an HTTP error status, or an error event, that none of the kinds below explains. */
  | 'http'
  /** A 404: the endpoint (usually a missing `/v1`) or the model does not exist. */
  | 'not-found'
  /** The server answered something that is not an OpenAI-style response. */
  | 'bad-response'
  /** Nothing arrived for the first-token timeout (before the answer) or the idle timeout (within it). */
  | 'stalled'
  /** The connection closed in the middle of an answer. */
  | 'dropped'
  /** The caller's signal aborted the request. */
  | 'aborted'
  /** The conversation does not fit the model's context window (see `promptTokens`, `contextWindow`). */
  | 'context-overflow'
  /** The model's chat template rejects the `system` role. */
  | 'system-role'
  /**
   * The server is still loading the model: its own 503 answer (then `retryable`), or, once
   * Duet stopped asking again, the model was still loading when the first-token timeout ran out.
   */
  | 'loading'
  /** LM Studio has no model loaded (Just-in-Time loading off or failed). */
  | 'no-model-loaded';

/** What a {@link ModelError} knows besides its message. */
export interface ModelErrorDetails {
  /** The display form of the base URL. */
  url: string;
  status?: number;
  cause?: unknown;
  /** The server's own words, with the API key removed. */
  serverMessage?: string;
  promptTokens?: number;
  contextWindow?: number;
  /** Default false; see {@link ModelError.retryable}. */
  retryable?: boolean;
}

/**
 * A failure talking to a model server, with a message a user can act on.
 * Messages name the server's URL (without credentials) and never contain the API key.
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly kind: ModelErrorKind;
  /** The base URL of the server, safe to show. */
  readonly url: string;
  /** The HTTP status, or the numeric `code` of an error the server sent inside a stream. */
  readonly status?: number;
  /** The server's own words, when it gave any (API key removed). */
  readonly serverMessage?: string;
  /** How many tokens the server counted in the prompt, when it said (`context-overflow`). */
  readonly promptTokens?: number;
  /** The model's context window in tokens, when the server said (`context-overflow`). */
  readonly contextWindow?: number;
  /**
   * The server said to ask again later: llama.cpp's 503 "Loading model" while it loads.
   * {@link withLoadingRetry} and `streamChat` wait and ask again; everything else is final.
   */
  readonly retryable: boolean;

  /** The message with the settings to change left as markers, for {@link phraseFor}. */
  readonly #template: string;

  constructor(kind: ModelErrorKind, message: string, details: ModelErrorDetails) {
    // `message` is the terminal's wording; the browser asks phraseFor('browser').
    super(phrase(message, 'cli'), details.cause === undefined ? undefined : { cause: details.cause });
    this.#template = message;
    this.kind = kind;
    this.url = details.url;
    if (details.status !== undefined) this.status = details.status;
    if (details.serverMessage !== undefined) this.serverMessage = details.serverMessage;
    if (details.promptTokens !== undefined) this.promptTokens = details.promptTokens;
    if (details.contextWindow !== undefined) this.contextWindow = details.contextWindow;
    this.retryable = details.retryable ?? false;
  }

  /** The message in the words of its reader: flags in a terminal, setting names in the browser. */
  phraseFor(audience: Audience): string {
    return phrase(this.#template, audience);
  }
}

/** A base URL fit for messages and logs: user info and query string removed. */
export function displayUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    url.username = '';
    url.password = '';
    url.search = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return baseUrl;
  }
}

/** Replaces every occurrence of the API key in text; servers sometimes echo the key back. */
export function redactKey(text: string, apiKey: string | undefined): string {
  if (apiKey === undefined || apiKey.length < 4) return text;
  return text.split(apiKey).join('***');
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPROTO: 'TLS handshake failed',
};

/** A few words on why a connection failed, from the `code` somewhere down the cause chain. */
export function connectionReason(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    if ('code' in current && typeof current.code === 'string') {
      return REASONS[current.code] ?? current.code;
    }
    current = 'cause' in current ? current.cause : undefined;
  }
  return error instanceof Error ? error.message : 'connection failed';
}

/** Advice for a base URL that answered 404 on an OpenAI endpoint. */
export function missingV1Hint(url: string): string {
  return /\/v1$/.test(url)
    ? `Check ${setting('base-url')}: it should be the OpenAI-compatible API root of the server.`
    : `OpenAI-compatible servers usually serve under /v1: try ${setting('base-url')} ${url}/v1.`;
}

/** The message of an unreachable server, shared by every request kind. */
export function unreachableMessage(url: string, reason: string): string {
  return `Could not reach the model server at ${url} (${reason}). Is LM Studio/Ollama running? Check ${setting('base-url')}; OpenAI-compatible servers usually end in /v1.`;
}

/** A duration for messages: whole seconds as `60 s`, others to a tenth, `0.4 s`. */
export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
