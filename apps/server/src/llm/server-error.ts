/** What a model server said when it refused or failed a request, whatever shape its body took. */
export interface ServerErrorFacts {
  /** The server's own words. */
  message: string;
  /** `type` of an OpenAI-style error: `exceed_context_size_error`, `BadRequestError`, `invalid_request_error`… */
  type?: string;
  /** `code` as the server gave it: an HTTP status (llama.cpp, vLLM) or a word (`context_length_exceeded`). */
  code?: number | string;
  /** llama.cpp's `n_prompt_tokens`, sent with a context overflow. */
  promptTokens?: number;
  /** llama.cpp's `n_ctx`, sent with a context overflow. */
  contextWindow?: number;
}

/** How deep a message that is itself a JSON error body is read through. */
const MAX_DEPTH = 3;

/**
 * Reads an error body in any of the shapes model servers use:
 * - nested `{"error":{"message":…}}`: OpenAI, llama.cpp, vLLM ≥ 0.10.1, Ollama's `/v1`, LM Studio 0.4;
 * - flat `{"object":"error","message":…}`: vLLM before 0.10.1 (vllm-project/vllm#12886);
 * - `{"message":…}` alone: the data of an LM Studio `event: error` in some builds;
 * - a string `{"error":"…"}`: LM Studio 0.3, Ollama's native API;
 * - `{"detail":"…"}`: FastAPI's own answers (vLLM for an unknown path);
 * - plain text.
 *
 * A message that is itself a JSON error body is read through: Ollama relays llama-server's
 * answer as the text of its own error. Returns `undefined` when there is nothing to read.
 */
export function readErrorBody(body: unknown): ServerErrorFacts | undefined {
  return read(body, 0);
}

/**
 * Whether one streamed JSON payload reports an error instead of carrying a chunk:
 * `{"error":…}` (OpenAI, llama.cpp since PR #16109, vLLM ≥ 0.10.1, LM Studio) or
 * `{"object":"error",…}` (vLLM before 0.10.1, whose `error` key openai-node looks for in vain).
 */
export function isErrorPayload(payload: unknown): payload is Record<string, unknown> {
  if (!isRecord(payload)) return false;
  return (payload.error !== undefined && payload.error !== null && payload.error !== false) || payload.object === 'error';
}

function read(body: unknown, depth: number): ServerErrorFacts | undefined {
  if (typeof body === 'string') return fromText(body, depth);
  if (!isRecord(body)) return undefined;
  const inner = body.error;
  if (typeof inner === 'string' && inner.trim() !== '') return fromText(inner, depth);
  if (isRecord(inner)) {
    const message = stringField(inner, 'message') ?? stringField(body, 'message') ?? JSON.stringify(inner);
    return withFacts(message, inner, depth);
  }
  const flat = stringField(body, 'message');
  if (flat !== undefined) return withFacts(flat, body, depth);
  const detail = stringField(body, 'detail');
  if (detail !== undefined) return fromText(detail, depth);
  return undefined;
}

function fromText(text: string, depth: number): ServerErrorFacts | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return throughJson(trimmed, depth) ?? { message: trimmed };
}

function withFacts(message: string, source: Record<string, unknown>, depth: number): ServerErrorFacts {
  const facts: ServerErrorFacts = { message: message.trim() };
  const type = stringField(source, 'type');
  if (type !== undefined) facts.type = type;
  const code = source.code;
  if (typeof code === 'number' || (typeof code === 'string' && code !== '')) facts.code = code;
  const promptTokens = source.n_prompt_tokens;
  if (typeof promptTokens === 'number') facts.promptTokens = promptTokens;
  const contextWindow = source.n_ctx;
  if (typeof contextWindow === 'number') facts.contextWindow = contextWindow;
  // What the relayed body says is more exact than the relay's wrapping of it.
  const relayed = throughJson(facts.message, depth);
  return relayed === undefined ? facts : { ...facts, ...relayed };
}

function throughJson(text: string, depth: number): ServerErrorFacts | undefined {
  if (depth >= MAX_DEPTH || !text.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return read(parsed, depth + 1);
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
