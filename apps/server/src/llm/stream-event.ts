import { isErrorPayload, readErrorBody, type ServerErrorFacts } from './server-error.ts';
import type { SseEvent } from './sse.ts';

/** What one server-sent event means in a chat stream. */
export type StreamEvent =
  /** A `chat.completion.chunk` (or whatever JSON the server sent in its place). */
  | { type: 'chunk'; chunk: unknown }
  /** `data: [DONE]`: the answer is over. */
  | { type: 'done' }
  /** The server reported an error inside the stream; `status` is its numeric `code`, if any. */
  | { type: 'error'; facts: ServerErrorFacts | undefined; status?: number }
  /** A data line that is not JSON. */
  | { type: 'unreadable'; data: string }
  /** Nothing Duet reads: an event of unknown fields only, or empty data. */
  | { type: 'empty' };

/**
 * Reads one event of a chat stream. Errors come in four shapes: `data: {"error":…}`
 * (OpenAI, llama.cpp since PR #16109, vLLM ≥ 0.10.1), `data: {"object":"error",…}` (vLLM
 * before 0.10.1), `event: error` with a data object that may lack an `error` key (LM
 * Studio), and a non-standard `error: {…}` field followed by `data: [DONE]` (llama.cpp
 * before PR #16109).
 */
export function interpretEvent(event: SseEvent): StreamEvent {
  const field = event.extra.error;
  if (field !== undefined) return errorEvent(parseOr(field));
  if (event.event === 'error') return errorEvent(parseOr(event.data));
  const data = event.data.trim();
  if (data === '') return { type: 'empty' };
  if (data.startsWith('[DONE]')) return { type: 'done' };
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    return { type: 'unreadable', data };
  }
  if (isErrorPayload(payload)) return errorEvent(payload);
  return { type: 'chunk', chunk: payload };
}

function errorEvent(payload: unknown): StreamEvent {
  const facts = readErrorBody(payload);
  const code = facts?.code;
  return typeof code === 'number' && code >= 400 && code < 600 ? { type: 'error', facts, status: code } : { type: 'error', facts };
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
