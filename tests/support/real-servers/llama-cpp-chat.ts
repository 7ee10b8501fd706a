/**
 * The chat side of a fake llama.cpp server (`llama-server`, ggml-org/llama.cpp
 * tools/server), builds of 2025–2026, written from tools/server/server.cpp and utils.hpp:
 *
 * - chunks `{"choices":[{"finish_reason":null,"index":0,"delta":{…}}],"created":…,"id":"chatcmpl-…",
 *   "model":…,"system_fingerprint":"b…","object":"chat.completion.chunk"}`, the first with the
 *   role only and `content: null` (as captured in llama.cpp#14268);
 * - reasoning in `delta.reasoning_content`; tool calls in pieces (id, type and name first,
 *   then argument pieces);
 * - the finish chunk with `delta: {}`, then, when include_usage was asked, a chunk with
 *   `choices: []`, `usage` and `timings`; builds before include_usage support put `usage`
 *   in the finish chunk (`usageInFinishChunk`);
 * - `data: [DONE]`, LF line ends (`"\n\n"` after every event);
 * - keep-alive comments made of a lone `:` (PR #24013, 2026), as the `ping` step;
 * - errors made by `format_error_response`: `{"code":…,"message":…,"type":…}`, answered as
 *   `{"error":{…}}` with that code as the HTTP status; see {@link LlamaCppBuild} for how
 *   they travel once a stream has started.
 */
import { assertNever } from '@duet/kernel';
import type { Routes } from './loopback.ts';
import { chatRoute, randomId, sendRawJson, toolCallDelta, type ChatDialect, type ChatScript, type CommonStep, type StepIO, type StepOutcome } from './scripted-chat.ts';

/** How a build reports an error that the server found after it began the response. */
export type LlamaCppBuild =
  /**
   * After the late-2025 server refactor: errors found before the first token (a prompt
   * larger than the context) are plain HTTP answers; later ones travel as
   * `data: {"error":{…}}`, then `data: [DONE]`.
   */
  | 'current'
  /**
   * From PR #16109 (merged 2025-09-19) to the refactor: the response begins at once, so
   * every error of the generation travels in the stream as `data: {"error":{…}}`, then
   * `data: [DONE]`.
   */
  | 'pr-16109'
  /**
   * Before PR #16109 (b5966 and the like): errors travel as a non-standard `error: {…}`
   * field, then `data: [DONE]`; a standard SSE parser drops the error and sees an empty
   * stream. The context-overflow text of those builds had no numbers yet.
   */
  | 'before-pr-16109';

/** Which build the fake imitates, and its wire details. */
export interface LlamaCppChatOptions {
  /** Default `current`. */
  build?: LlamaCppBuild;
  /** Builds before include_usage support (early 2025) sent `usage` in the finish chunk, asked or not. */
  usageInFinishChunk?: boolean;
  /** The `system_fingerprint`: the build number and commit. */
  buildInfo?: string;
}

/** An error this server answers with, in its own words. */
export type LlamaCppError =
  /** `--ctx-size` too small for the prompt, context shift off (the default). */
  | { case: 'context-overflow'; promptTokens: number; contextSize: number }
  /** A chat template (`--jinja`) whose `raise_exception` rejects the system role, like Gemma 2's. */
  | { case: 'system-role' }
  | { case: 'server-error'; message: string };

/** What the llama.cpp fake can do while answering. */
export type LlamaCppStep =
  | CommonStep
  /** A keep-alive comment: a line holding only `:`. */
  | { type: 'ping' }
  /** The 503 it answers while the model loads (before any stream): see {@link LOADING_BODY}. */
  | { type: 'loading' }
  | { type: 'error'; error: LlamaCppError };

/** The 503 body of `middleware_server_state` while the server is still loading the model. */
export const LOADING_BODY = { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } };

/**
 * The chat route table of a fake llama.cpp server: `POST /v1/chat/completions`, and
 * `POST /chat/completions`, which llama-server serves too.
 */
export function llamaCppChat(script: ChatScript<LlamaCppStep>, opts: LlamaCppChatOptions = {}): Routes {
  const build = opts.build ?? 'current';
  const route = chatRoute<Exclude<LlamaCppStep, CommonStep>>({
    script,
    dialect: llamaCppDialect(opts),
    special: (step, io) => playSpecial(step, io, build),
  });
  return { 'POST /v1/chat/completions': route, 'POST /chat/completions': route };
}

function playSpecial(step: Exclude<LlamaCppStep, CommonStep>, io: StepIO, build: LlamaCppBuild): StepOutcome {
  switch (step.type) {
    case 'ping':
      io.stream.write(':\n\n');
      return 'continue';
    case 'loading':
      if (io.stream.started) throw new Error('llama.cpp answers "Loading model" before any stream begins');
      sendRawJson(io.ctx.res, 503, JSON.stringify(LOADING_BODY));
      return 'over';
    case 'error':
      sendError(io, build, step.error);
      return 'over';
    default:
      return assertNever(step, 'llama.cpp step');
  }
}

function sendError(io: StepIO, build: LlamaCppBuild, error: LlamaCppError): void {
  const body = errorObject(build, error);
  // A template error is raised while the request is read, before any response begins;
  // the others come from the slot, which older builds ran with the response already begun.
  const fromSlot = error.case !== 'system-role';
  const inStream = io.stream.started || (build !== 'current' && fromSlot);
  if (!inStream) {
    sendRawJson(io.ctx.res, body.code, JSON.stringify({ error: body }));
    return;
  }
  if (build === 'before-pr-16109') {
    // server_sent_event(sink, "error", error_data): the field name is the event's "type".
    io.stream.write(`error: ${JSON.stringify(body)}\n\n`);
  } else {
    io.stream.data({ error: body });
  }
  io.stream.end('data: [DONE]\n\n');
}

/** `format_error_response(message, type)`, plus the counts the context error carries. */
function errorObject(build: LlamaCppBuild, error: LlamaCppError): { code: number; message: string; type: string; [key: string]: unknown } {
  switch (error.case) {
    case 'context-overflow':
      if (build === 'before-pr-16109') {
        // b5966, as captured in coddy-project/coddy-agent#106.
        return {
          code: 400,
          message: 'the request exceeds the available context size. try increasing the context size or enable context shift',
          type: 'invalid_request_error',
        };
      }
      // server-context.cpp send_error(…, ERROR_TYPE_EXCEED_CONTEXT_SIZE) with n_prompt_tokens and n_ctx.
      return {
        code: 400,
        message: `request (${error.promptTokens} tokens) exceeds the available context size (${error.contextSize} tokens), try increasing it`,
        type: 'exceed_context_size_error',
        n_prompt_tokens: error.promptTokens,
        n_ctx: error.contextSize,
      };
    case 'system-role':
      // minja's exception text, caught by the handler's exception wrapper as a server error
      // (the form seen in containers/ramalama#2425 and ollama/ollama#18241).
      return {
        code: 500,
        message:
          "\n------------\nWhile executing CallExpression at line 2, column 34 in source:\n...messages[0]['role'] == 'system' %}↵    {{- raise_exception('System role not supported') }}...\n                                           ^\nError: Jinja Exception: System role not supported",
        type: 'server_error',
      };
    case 'server-error':
      return { code: 500, message: error.message, type: 'server_error' };
    default:
      return assertNever(error, 'llama.cpp error');
  }
}

function llamaCppDialect(opts: LlamaCppChatOptions): ChatDialect {
  const fingerprint = opts.buildInfo ?? 'b6912-5d8bb900b';
  const chunk = (a: { id: string; created: number; model: string }, choices: unknown[], extra: object = {}): object => ({
    choices,
    created: a.created,
    id: a.id,
    model: a.model,
    system_fingerprint: fingerprint,
    object: 'chat.completion.chunk',
    ...extra,
  });
  const choice = (delta: object, finishReason: string | null = null): object => ({ finish_reason: finishReason, index: 0, delta });
  return {
    headers: { 'Content-Type': 'text/event-stream', Server: 'llama.cpp' },
    newId: () => `chatcmpl-${randomId(32)}`,
    opening: (a) => [chunk(a, [choice({ role: 'assistant', content: null })])],
    text: (a, field, text) => chunk(a, [choice(field === 'content' ? { content: text } : { reasoning_content: text })]),
    toolCall: (a, step) => chunk(a, [choice({ tool_calls: [toolCallDelta(step)] })]),
    closing: (a, reason, { promptTokens, completionTokens }) => {
      const usage = { completion_tokens: completionTokens, prompt_tokens: promptTokens, total_tokens: completionTokens + promptTokens };
      const timings = {
        prompt_n: promptTokens,
        prompt_ms: 12.5,
        prompt_per_token_ms: 0.4,
        prompt_per_second: 2500,
        predicted_n: completionTokens,
        predicted_ms: 40.2,
        predicted_per_token_ms: 20.1,
        predicted_per_second: 49.7,
      };
      if (opts.usageInFinishChunk === true) return [chunk(a, [choice({}, reason)], { usage, timings })];
      // The timings ride on the last chunk the server writes.
      if (!a.includeUsage) return [chunk(a, [choice({}, reason)], { timings })];
      return [chunk(a, [choice({}, reason)]), chunk(a, [], { usage, timings })];
    },
  };
}
