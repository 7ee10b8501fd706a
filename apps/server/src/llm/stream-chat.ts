import { setTimeout as sleep } from 'node:timers/promises';
import { assertNever } from '../util/assert-never.ts';
import type { OpenAI } from 'openai';
import { readChunk, type ChunkParts } from './chunk.ts';
import { createClient, translateRequestError } from './client.ts';
import { ModelError, missingV1Hint, redactKey } from './errors.ts';
import { Exchange } from './exchange.ts';
import { listModels } from './list-models.ts';
import { nextLoadingDelay } from './loading.ts';
import { mentionsModel, refusalError } from './refusal.ts';
import { isErrorPayload, readErrorBody } from './server-error.ts';
import { readSseEvents } from './sse.ts';
import { interpretEvent } from './stream-event.ts';
import { ToolCallNames } from './tool-calls.ts';
import { DEFAULT_LOADING_BACKOFF } from './types.ts';
import type { ChatDelta, ChatUsage, FinishReason, StreamChatOptions } from './types.ts';
import { setting } from './settings-words.ts';

/** openai-node's own headers timeout is kept this far behind ours, so that ours always fires first. */
const HEADERS_TIMEOUT_MARGIN_MS = 60_000;

/** How much of an unreadable event a message quotes. */
const QUOTE_CHARS = 200;

/**
 * Streams one answer from an OpenAI-compatible server. Deltas come in arrival order and a
 * normal answer ends with one `finish` delta. While the server answers 503 "Loading model"
 * it is asked again (0.5 s doubling to 5 s) and a `loading` delta says so each time.
 * Anything else ends in a {@link ModelError}, thrown after the deltas that did arrive, of
 * the kind the server's own words call for (`context-overflow`, `system-role`,
 * `no-model-loaded`, `http`…, see `refusalError`), or: `stalled` when the first token did not
 * come within the first-token timeout or the next chunk within the idle timeout, `loading`
 * when the model was still loading at the first-token timeout, `dropped` when the
 * connection closed mid-answer, `aborted` when the caller's signal fired. Leaving the loop
 * early (break, return, throw) or aborting the signal closes the HTTP connection, so the
 * server stops generating.
 */
export async function* streamChat(opts: StreamChatOptions): AsyncGenerator<ChatDelta, void, undefined> {
  const exchange = new Exchange(opts);
  if (exchange.callerAborted()) throw exchange.interrupted();
  opts.signal?.addEventListener('abort', exchange.forwardAbort, { once: true });
  try {
    exchange.clock.arm();
    const response = yield* openStream(exchange);
    yield* readAnswer(exchange, response);
  } finally {
    exchange.clock.hold();
    opts.signal?.removeEventListener('abort', exchange.forwardAbort);
    exchange.controller.abort();
  }
}

/** Sends the request, asking again while the server says it is loading; yields `loading` deltas meanwhile. */
async function* openStream(x: Exchange): AsyncGenerator<ChatDelta, Response, undefined> {
  const { opts } = x;
  const backoff = opts.loadingBackoff ?? DEFAULT_LOADING_BACKOFF;
  // openai-node's timeout covers the wait for the headers, which Ollama and LM Studio send
  // only once the model has loaded; our first-token clock is the one that decides.
  const client = createClient(opts.baseUrl, opts.apiKey, x.firstTokenMs + HEADERS_TIMEOUT_MARGIN_MS);
  let delay = backoff.initialMs;
  for (;;) {
    let failure: ModelError;
    try {
      // A signal of its own for each attempt: the client leaves a listener on the signal it is given, and a model that
      // loads for minutes would otherwise pile one per retry onto the exchange's (Node warns of a leak past ten).
      const response = await client.chat.completions.create(requestBody(opts), { signal: AbortSignal.any([x.controller.signal]) }).asResponse();
      x.loading = undefined;
      return response;
    } catch (error) {
      failure = x.interrupted() ?? (await explainRequestFailure(error, x));
    }
    if (!failure.retryable) throw failure;
    x.loading = failure;
    yield { type: 'loading', waitedMs: Math.round(x.clock.waitedMs()), detail: failure.serverMessage ?? failure.message };
    try {
      await sleep(delay, undefined, { signal: x.controller.signal });
    } catch {
      throw x.interrupted() ?? failure;
    }
    delay = nextLoadingDelay(delay, backoff);
  }
}

function requestBody(opts: StreamChatOptions): OpenAI.Chat.ChatCompletionCreateParamsStreaming {
  return {
    model: opts.model,
    messages: opts.messages,
    stream: true,
    stream_options: { include_usage: true },
    ...(opts.temperature === undefined ? {} : { temperature: opts.temperature }),
    ...(opts.maxTokens === undefined ? {} : { max_tokens: opts.maxTokens }),
  };
}

/** What an answer has gathered so far: its finish, its usage, its tool calls. */
class AnswerState {
  finish: FinishReason | undefined;
  readonly usage: ChatUsage = {};
  readonly tools = new ToolCallNames();
  /** Whether a token (text or a tool call) arrived. */
  answered = false;

  /** Takes one chunk's parts; returns the deltas to yield for it. */
  take(parts: ChunkParts): ChatDelta[] {
    if (parts.finish !== undefined) this.finish = parts.finish;
    if (parts.completionTokens !== undefined) this.usage.completionTokens = parts.completionTokens;
    if (parts.promptTokens !== undefined) this.usage.promptTokens = parts.promptTokens;
    const deltas: ChatDelta[] = [...parts.deltas];
    for (const name of this.tools.push(parts.toolCalls)) deltas.push({ type: 'tool-call', name });
    return deltas;
  }

  /** The last deltas of an answer that ended: tool calls still open, then the finish. */
  end(reason: FinishReason): ChatDelta[] {
    const deltas: ChatDelta[] = this.tools.flush().map((name) => ({ type: 'tool-call', name }));
    const usage = this.usage.completionTokens !== undefined || this.usage.promptTokens !== undefined ? { usage: { ...this.usage } } : {};
    deltas.push({ type: 'finish', reason, ...usage });
    return deltas;
  }
}

/** Reads the answer's events and yields its deltas; the clock runs only while waiting for the server. */
async function* readAnswer(x: Exchange, response: Response): AsyncGenerator<ChatDelta, void, undefined> {
  const contentType = response.headers.get('content-type') ?? '';
  if (!/event-stream/i.test(contentType) && /json/i.test(contentType)) {
    yield* readWholeAnswer(x, response);
    return;
  }
  if (response.body === null) throw x.notOpenAi();
  const state = new AnswerState();
  let events = 0;
  let done = false;
  try {
    events: for await (const event of readSseEvents(response.body)) {
      const read = interpretEvent(event);
      switch (read.type) {
        case 'empty':
          continue;
        case 'done':
          done = true;
          break events;
        case 'error':
          throw refusalError(read.status, read.facts, {
            url: x.url,
            apiKey: x.opts.apiKey,
            path: '/chat/completions',
            model: x.opts.model,
            moment: state.answered ? 'mid-answer' : 'before-answer',
          });
        case 'unreadable': {
          const kept = state.answered ? '; the answer so far was kept' : '';
          const quote = redactKey(read.data.slice(0, QUOTE_CHARS), x.opts.apiKey);
          throw new ModelError('bad-response', `The model server at ${x.url} sent a stream event that is not valid JSON while "${x.opts.model}" was answering${kept}: ${quote}`, { url: x.url });
        }
        case 'chunk': {
          events++;
          const parts = readChunk(read.chunk);
          // The role-only first chunk and empty chunks leave the clock as it is.
          if (!parts.carriesAnswer) continue;
          x.clock.hold();
          if (parts.deltas.length > 0 || parts.toolCalls.length > 0) {
            if (!state.answered) x.clock.firstToken();
            state.answered = true;
          }
          for (const delta of state.take(parts)) yield delta;
          x.clock.arm();
          continue;
        }
        default:
          assertNever(read, 'stream event');
      }
    }
  } catch (error) {
    if (error instanceof ModelError) throw error;
    // A connection lost after the finish reason only cost us the usage figures.
    if (state.finish === undefined) throw x.interrupted() ?? x.dropped(error);
  }
  if (x.callerAborted()) throw x.interrupted();
  // `[DONE]` ends the answer even when no chunk gave a finish reason.
  const finish = state.finish ?? (done ? 'stop' : undefined);
  if (finish === undefined) throw x.interrupted() ?? (events === 0 ? x.notOpenAi() : x.dropped(undefined));
  for (const delta of state.end(finish)) yield delta;
}

/** A server that ignored `stream: true` and sent one JSON body: a whole completion, or an error. */
async function* readWholeAnswer(x: Exchange, response: Response): AsyncGenerator<ChatDelta, void, undefined> {
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    throw x.interrupted() ?? x.notOpenAi();
  }
  if (isErrorPayload(body)) {
    const facts = readErrorBody(body);
    const code = facts?.code;
    const status = typeof code === 'number' && code >= 400 && code < 600 ? code : undefined;
    throw refusalError(status, facts, { url: x.url, apiKey: x.opts.apiKey, path: '/chat/completions', model: x.opts.model, moment: 'before-answer' });
  }
  const parts = readChunk(body);
  if (!parts.carriesAnswer) throw x.notOpenAi();
  const state = new AnswerState();
  x.clock.hold();
  for (const delta of state.take(parts)) yield delta;
  for (const delta of state.end(state.finish ?? 'stop')) yield delta;
}

/** Adds what only a second request can tell: whether the model or the endpoint is missing. */
async function explainRequestFailure(error: unknown, x: Exchange): Promise<ModelError> {
  const { opts, url } = x;
  const translated = translateRequestError(error, { url, apiKey: opts.apiKey, path: '/chat/completions', model: opts.model });
  const aboutModel = translated.kind === 'http' && translated.status === 400 && mentionsModel(translated.serverMessage ?? '');
  if (translated.kind !== 'not-found' && !aboutModel) return translated;
  let ids: string[];
  try {
    ids = await listModels(opts.baseUrl, opts.apiKey, opts.signal);
  } catch (listError) {
    if (listError instanceof ModelError && listError.kind === 'not-found') {
      return new ModelError(
        'not-found',
        `The model server at ${url} answered 404 Not Found for /chat/completions and /models. ${missingV1Hint(url)}`,
        { url, status: 404 },
      );
    }
    return translated;
  }
  if (ids.includes(opts.model)) return translated;
  const listed = ids.length === 0 ? 'It lists no models: load one first (LM Studio: load a model; Ollama: `ollama pull NAME`).' : `It has: ${ids.join(', ')}.`;
  const said = translated.serverMessage === undefined ? '' : ` ("${translated.serverMessage}")`;
  return new ModelError(
    'not-found',
    `The model server at ${url} has no model "${opts.model}"${said}. ${listed} Choose one with ${setting('models')}.`,
    { url, ...(translated.status === undefined ? {} : { status: translated.status }), ...(translated.serverMessage === undefined ? {} : { serverMessage: translated.serverMessage }) },
  );
}
