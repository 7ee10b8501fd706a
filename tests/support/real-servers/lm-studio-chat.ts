/**
 * The chat side of a fake LM Studio server (its OpenAI-compatible endpoints under `/v1`),
 * builds 0.3 to 0.4.21. LM Studio is closed source: the shapes follow its developer log
 * and captures that users posted, cited beside each body.
 *
 * - chunks `{"id":"chatcmpl-…","object":"chat.completion.chunk","created":…,"model":…,
 *   "system_fingerprint":<model>,"choices":[{"index":0,"delta":{…},"logprobs":null,"finish_reason":null}]}`;
 *   no role-only chunk: the first token's delta carries `role: "assistant"` beside its
 *   text (a capture in a Qwen SSE-repair test, 2026);
 * - reasoning in `delta.reasoning_content` (the "separate reasoning" setting);
 * - the finish chunk with `delta: {}`, the usage chunk with `choices: []` when asked,
 *   `data: [DONE]`, LF line ends; an Express server (`X-Powered-By: Express`, the
 *   capture in aaif-goose/goose#11318); no keep-alive comments;
 * - errors: see {@link LmStudioBuild}.
 */
import { assertNever } from '@duet/kernel';
import type { Routes } from './loopback.ts';
import { chatRoute, randomId, sendRawJson, toolCallDelta, type ChatDialect, type ChatScript, type CommonStep, type StepIO, type StepOutcome } from './scripted-chat.ts';

/**
 * Which build the fake imitates; they differ in how errors travel.
 * - `0.3`: errors are HTTP answers whose body is a string `{"error":"…"}` (the shape
 *   clients printed for LM Studio 0.3, lms#107); "No models loaded" is a 404.
 * - `0.4.6`: "No models loaded" is a 400 with a nested, pretty-printed error
 *   (lmstudio-bug-tracker#1730); errors of the prediction (context overflow, template)
 *   come after the stream began, as `event: error` (anomalyco/opencode#11141, continuedev/continue#11279).
 * - `0.4.21`: as 0.4.6, with the context overflow reworded (lmstudio-bug-tracker#2322).
 */
export type LmStudioBuild = '0.3' | '0.4.6' | '0.4.21';

export interface LmStudioChatOptions {
  /** Default `0.4.21`. */
  build?: LmStudioBuild;
  /**
   * The data of an `event: error`: `error-and-message` is 0.4.21's
   * `{"error":{"message":…},"message":…}` (goose#11318); `message-only` is a build that sends
   * `{"message":…}` without an `error` key (reported, format not confirmed).
   */
  errorEvent?: 'error-and-message' | 'message-only';
}

/** An error this server answers with, in its own words. */
export type LmStudioError =
  /** Just-in-Time loading off (or failed) and no model loaded. */
  | { case: 'no-models-loaded' }
  | { case: 'context-overflow'; promptTokens: number; contextSize: number }
  /** A chat template that rejects the system role, like Mistral 7B Instruct v0.3's. */
  | { case: 'system-role' }
  | { case: 'server-error'; message: string };

/** What the LM Studio fake can do while answering. */
export type LmStudioStep =
  | CommonStep
  /** Just-in-Time loading: the request waits, unanswered, until the model has loaded. */
  | { type: 'loading'; until: Promise<unknown> }
  | { type: 'error'; error: LmStudioError };

/** LM Studio 0.3.5's words, as lms#107 quotes them. */
const NO_MODELS_03 = 'No models loaded. Please load a model in the developer page or use the `lms load` command';
/** LM Studio 0.4.8's words (lmstudio-bug-tracker#1730). */
const NO_MODELS_04 = "No models loaded. Please load a model in the developer page or use the 'lms load' command.";
/** The advice LM Studio appends to template errors (lmstudio-bug-tracker#842). */
const TEMPLATE_ADVICE =
  "This is usually an issue with the model's prompt template. If you are using a popular model, you can try to search the model under lmstudio-community, which will have fixed prompt templates. If you cannot find one, you are welcome to post this issue to our discord or issue tracker on GitHub. Alternatively, if you know how to write jinja templates, you can override the prompt template in My Models > model settings > Prompt Template.";

/** The chat route table of a fake LM Studio server: `POST /v1/chat/completions`. */
export function lmStudioChat(script: ChatScript<LmStudioStep>, opts: LmStudioChatOptions = {}): Routes {
  const build = opts.build ?? '0.4.21';
  const errorEvent = opts.errorEvent ?? 'error-and-message';
  return {
    'POST /v1/chat/completions': chatRoute<Exclude<LmStudioStep, CommonStep>>({
      script,
      dialect: lmStudioDialect(),
      special: (step, io) => playSpecial(step, io, build, errorEvent),
    }),
  };
}

async function playSpecial(
  step: Exclude<LmStudioStep, CommonStep>,
  io: StepIO,
  build: LmStudioBuild,
  errorEvent: 'error-and-message' | 'message-only',
): Promise<StepOutcome> {
  switch (step.type) {
    case 'loading':
      await Promise.race([step.until.catch(() => undefined), io.aborted]);
      return 'continue';
    case 'error':
      sendError(io, build, errorEvent, step.error);
      return 'over';
    default:
      return assertNever(step, 'LM Studio step');
  }
}

function sendError(io: StepIO, build: LmStudioBuild, errorEvent: 'error-and-message' | 'message-only', error: LmStudioError): void {
  const { res } = io.ctx;
  if (error.case === 'no-models-loaded') {
    if (build === '0.3') sendRawJson(res, 404, JSON.stringify({ error: NO_MODELS_03 }));
    // Pretty-printed with two spaces, as the developer log shows it.
    else sendRawJson(res, 400, JSON.stringify({ error: { message: NO_MODELS_04, type: 'invalid_request_error', param: 'model', code: null } }, null, 2));
    return;
  }
  const message = errorText(build, error);
  if (build === '0.3' && !io.stream.started) {
    sendRawJson(res, error.case === 'server-error' ? 500 : 400, JSON.stringify({ error: message }));
    return;
  }
  // "[LM STUDIO SERVER] Streaming response..." comes first: the error arrives in a 200 stream.
  const data = errorEvent === 'error-and-message' ? { error: { message }, message } : { message };
  io.stream.write(`event: error\ndata: ${JSON.stringify(data)}\n\n`);
  io.stream.end();
}

function errorText(build: LmStudioBuild, error: Exclude<LmStudioError, { case: 'no-models-loaded' }>): string {
  switch (error.case) {
    case 'context-overflow':
      if (build === '0.3') {
        // lmstudio-bug-tracker#546 (0.3.13).
        return `Trying to keep the first ${error.promptTokens} tokens when context the overflows. However, the model is loaded with context length of only ${error.contextSize} tokens, which is not enough. Try to load the model with a larger context length, or provide a shorter input.`;
      }
      if (build === '0.4.6') return `Cannot truncate prompt with n_keep (${error.promptTokens}) >= n_ctx (${error.contextSize})`;
      return `Input does not fit in context length. The input has ${error.promptTokens} tokens, but the context length only supports ${error.contextSize} tokens.`;
    case 'system-role':
      // lmstudio-bug-tracker#1054: Mistral 7B Instruct v0.3 with a system prompt.
      return `Error rendering prompt with jinja template: "Only user and assistant roles are supported!".\n\n${TEMPLATE_ADVICE}`;
    case 'server-error':
      return error.message;
    default:
      return assertNever(error, 'LM Studio error');
  }
}

function lmStudioDialect(): ChatDialect {
  const chunk = (a: { id: string; created: number; model: string }, choices: unknown[], extra: object = {}): object => ({
    id: a.id,
    object: 'chat.completion.chunk',
    created: a.created,
    model: a.model,
    system_fingerprint: a.model,
    choices,
    ...extra,
  });
  const choice = (delta: object, finishReason: string | null = null): object => ({ index: 0, delta, logprobs: null, finish_reason: finishReason });
  const withRole = (delta: object, first: boolean): object => (first ? { role: 'assistant', ...delta } : delta);
  return {
    headers: { 'X-Powered-By': 'Express', 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' },
    newId: () => `chatcmpl-${randomId(22)}`,
    opening: () => [],
    text: (a, field, text, first) => chunk(a, [choice(withRole(field === 'content' ? { content: text } : { reasoning_content: text }, first))]),
    toolCall: (a, step, first) => chunk(a, [choice(withRole({ tool_calls: [toolCallDelta(step)] }, first))]),
    closing: (a, reason, { promptTokens, completionTokens }) => {
      const finish = chunk(a, [choice({}, reason)]);
      if (!a.includeUsage) return [finish];
      return [finish, chunk(a, [], { usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } })];
    },
  };
}
