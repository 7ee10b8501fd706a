/** What went wrong talking to a model server. */
export type ModelErrorKind =
  /** No connection could be made (refused, unknown host, TLS failure). */
  | 'unreachable'
  /** The server answered with an HTTP error status. */
  | 'http'
  /** A 404: the endpoint (usually a missing `/v1`) or the model does not exist. */
  | 'not-found'
  /** The server answered something that is not an OpenAI-style response. */
  | 'bad-response'
  /** Nothing arrived for longer than the idle timeout. */
  | 'stalled'
  /** The connection closed in the middle of an answer. */
  | 'dropped'
  /** The caller's signal aborted the request. */
  | 'aborted';

/**
 * A failure talking to a model server, with a message a user can act on.
 * Messages name the server's URL (without credentials) and never contain the API key.
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly kind: ModelErrorKind;
  /** The base URL of the server, safe to show. */
  readonly url: string;
  readonly status?: number;

  constructor(kind: ModelErrorKind, message: string, details: { url: string; status?: number; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.url = details.url;
    if (details.status !== undefined) this.status = details.status;
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
    ? 'Check --base-url: it should be the OpenAI-compatible API root of the server.'
    : `OpenAI-compatible servers usually serve under /v1: try --base-url ${url}/v1.`;
}

/** The message of an unreachable server, shared by every request kind. */
export function unreachableMessage(url: string, reason: string): string {
  return `Could not reach the model server at ${url} (${reason}). Is LM Studio/Ollama running? Check --base-url; OpenAI-compatible servers usually end in /v1.`;
}
