import { APIError } from 'openai';
import { createClient, serverMessage, translateRequestError } from './client.ts';
import { readChunk } from './chunk.ts';
import { ModelError, displayUrl, missingV1Hint, redactKey } from './errors.ts';
import { listModels } from './list-models.ts';
import { DEFAULT_IDLE_TIMEOUT_MS } from './types.ts';
import type { ChatDelta, FinishReason, StreamChatOptions } from './types.ts';

/**
 * Streams one answer from an OpenAI-compatible server. Deltas come in arrival order and a
 * normal answer ends with one `finish` delta. Anything else ends in a {@link ModelError},
 * thrown after the deltas that did arrive: `stalled` when nothing came for the idle
 * timeout, `dropped` when the connection closed mid-answer, `aborted` when the caller's
 * signal fired. Leaving the loop early (break, return, throw) or aborting the signal
 * closes the HTTP connection, so the server stops generating.
 */
export async function* streamChat(opts: StreamChatOptions): AsyncGenerator<ChatDelta, void, undefined> {
  const url = displayUrl(opts.baseUrl);
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const controller = new AbortController();
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stopTimer = (): void => clearTimeout(timer);
  const startTimer = (): void => {
    stopTimer();
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, idleMs);
  };
  const forwardAbort = (): void => controller.abort();
  // A function, not a narrowed property: the signal can fire at any await.
  const callerAborted = (): boolean => opts.signal?.aborted === true;

  const interrupted = (): ModelError | undefined => {
    if (stalled) {
      return new ModelError(
        'stalled',
        `The model server at ${url} sent nothing for ${formatSeconds(idleMs)} while "${opts.model}" was answering, so Duet gave up on it; the answer so far was kept. The model may still be loading or the machine may be overloaded: try again, or raise the idle timeout.`,
        { url },
      );
    }
    if (callerAborted()) {
      return new ModelError('aborted', `The answer from "${opts.model}" at ${url} was stopped; what arrived so far was kept.`, { url });
    }
    return undefined;
  };

  if (callerAborted()) throw interrupted();
  opts.signal?.addEventListener('abort', forwardAbort, { once: true });
  const client = createClient(opts.baseUrl, opts.apiKey, idleMs);
  try {
    startTimer();
    let stream;
    try {
      stream = await client.chat.completions.create(
        {
          model: opts.model,
          messages: opts.messages,
          stream: true,
          stream_options: { include_usage: true },
          ...(opts.temperature === undefined ? {} : { temperature: opts.temperature }),
          ...(opts.maxTokens === undefined ? {} : { max_tokens: opts.maxTokens }),
        },
        { signal: controller.signal },
      );
    } catch (error) {
      throw interrupted() ?? (await explainRequestFailure(error, opts, url));
    }

    let finish: FinishReason | undefined;
    let completionTokens: number | undefined;
    let chunks = 0;
    try {
      // openai-node ends this loop quietly when the request is aborted, and aborts the
      // request itself when the loop is left early.
      for await (const chunk of stream) {
        stopTimer();
        chunks++;
        const parts = readChunk(chunk);
        if (parts.completionTokens !== undefined) completionTokens = parts.completionTokens;
        if (parts.finish !== undefined) finish = parts.finish;
        for (const delta of parts.deltas) yield delta;
        startTimer();
      }
    } catch (error) {
      // A connection lost or a bad event after the finish reason only cost us the usage figures.
      if (finish === undefined) throw interrupted() ?? explainStreamFailure(error, opts, url);
    }
    if (callerAborted()) throw interrupted();
    if (finish === undefined) {
      throw (
        interrupted() ??
        (chunks === 0
          ? new ModelError(
              'bad-response',
              `The server at ${url} answered the chat request without any OpenAI-style stream events. Check --base-url: it should be the OpenAI-compatible API root, usually ending in /v1.`,
              { url },
            )
          : droppedError(opts, url, undefined))
      );
    }
    yield completionTokens === undefined ? { type: 'finish', reason: finish } : { type: 'finish', reason: finish, usage: { completionTokens } };
  } finally {
    stopTimer();
    opts.signal?.removeEventListener('abort', forwardAbort);
    controller.abort();
  }
}

/** Adds what only a second request can tell: whether the model or the endpoint is missing. */
async function explainRequestFailure(error: unknown, opts: StreamChatOptions, url: string): Promise<ModelError> {
  const translated = translateRequestError(error, { url, apiKey: opts.apiKey, path: '/chat/completions' });
  const status = error instanceof APIError ? error.status : undefined;
  const aboutModel = error instanceof APIError && status === 400 && /model/i.test(serverMessage(error));
  if (status !== 404 && !aboutModel) return translated;
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
  return new ModelError(
    'not-found',
    `The model server at ${url} has no model "${opts.model}". ${listed} Choose one with --model-a / --model-b.`,
    { url, ...(status === undefined ? {} : { status }) },
  );
}

function explainStreamFailure(error: unknown, opts: StreamChatOptions, url: string): ModelError {
  if (error instanceof APIError) {
    return new ModelError(
      'http',
      `The model server at ${url} reported an error in the middle of the answer from "${opts.model}": ${redactKey(serverMessage(error), opts.apiKey)}. The answer so far was kept.`,
      { url, cause: error },
    );
  }
  if (error instanceof SyntaxError) {
    return new ModelError(
      'bad-response',
      `The model server at ${url} sent a stream event that is not valid JSON while "${opts.model}" was answering; the answer so far was kept.`,
      { url, cause: error },
    );
  }
  return droppedError(opts, url, error);
}

function droppedError(opts: StreamChatOptions, url: string, cause: unknown): ModelError {
  return new ModelError(
    'dropped',
    `The model server at ${url} closed the connection in the middle of the answer from "${opts.model}"; the answer so far was kept. The server may have crashed or run out of memory: check its log, then try again.`,
    { url, ...(cause === undefined ? {} : { cause }) },
  );
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
