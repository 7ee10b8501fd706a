/**
 * The chat side of a fake vLLM server (vllm-project/vllm, `vllm serve`), versions 0.6 to
 * 0.11, written from vllm/entrypoints/openai/serving_chat.py and serving_engine.py:
 *
 * - the first chunk `{"id":"chatcmpl-<32 hex>","object":"chat.completion.chunk","created":…,
 *   "model":…,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,
 *   "finish_reason":null}]}`, then one chunk per token;
 * - reasoning in `delta.reasoning_content` (reasoning parsers before 0.11) or
 *   `delta.reasoning` (0.11 and later);
 * - tool calls in pieces: the first with `id`, `type` and the whole name, then argument pieces;
 * - the finish chunk with `"delta":{"content":""}` and `"stop_reason":null`, then with
 *   include_usage a chunk with `choices: []` and `usage` (`prompt_tokens`, `total_tokens`,
 *   `completion_tokens`), then `data: [DONE]`; LF line ends; no keep-alive comments (a
 *   FastAPI StreamingResponse);
 * - errors (`ErrorResponse`): before 0.10.1 flat, `{"object":"error","message":…,"type":"BadRequestError",
 *   "param":null,"code":400}`; from 0.10.1 (PR #22099) nested, `{"error":{"message":…,"type":…,
 *   "param":null,"code":400}}` (vllm-project/vllm#12886). In a started stream the same
 *   object is a `data:` line, then `data: [DONE]`;
 * - loading: the API server does not answer until the engine is up, so a request waits.
 */
import { randomBytes } from 'node:crypto';
import { assertNever } from '@duet/kernel';
import type { Routes } from './loopback.ts';
import { chatRoute, sendRawJson, toolCallDelta, type ChatDialect, type ChatScript, type CommonStep, type StepIO, type StepOutcome } from './scripted-chat.ts';

/**
 * Which vLLM the fake imitates: the context-overflow wording changed after 0.6, the error
 * shape in 0.10.1, the reasoning field in 0.11.
 */
export type VllmVersion = '0.6' | '0.9' | '0.10.1' | '0.11';

export interface VllmChatOptions {
  /** Default `0.11`. */
  version?: VllmVersion;
}

/** An error this server answers with, in its own words. */
export type VllmError =
  /** A prompt longer than `--max-model-len`. */
  | { case: 'context-overflow'; promptTokens: number; contextSize: number }
  /** A chat template that rejects the system role, like Gemma 2's (vLLM PR #2964). */
  | { case: 'system-role' }
  /** A `model` that `--served-model-name` does not name. */
  | { case: 'model-not-found' }
  | { case: 'server-error'; message: string };

/** What the vLLM fake can do while answering. */
export type VllmStep =
  | CommonStep
  /** The engine is still starting: the request waits, unanswered, until it is up. */
  | { type: 'loading'; until: Promise<unknown> }
  | { type: 'error'; error: VllmError };

/** The chat route table of a fake vLLM server: `POST /v1/chat/completions`. */
export function vllmChat(script: ChatScript<VllmStep>, opts: VllmChatOptions = {}): Routes {
  const version = opts.version ?? '0.11';
  return {
    'POST /v1/chat/completions': chatRoute<Exclude<VllmStep, CommonStep>>({
      script,
      dialect: vllmDialect(version),
      special: (step, io) => playSpecial(step, io, version),
    }),
  };
}

async function playSpecial(step: Exclude<VllmStep, CommonStep>, io: StepIO, version: VllmVersion): Promise<StepOutcome> {
  switch (step.type) {
    case 'loading':
      await Promise.race([step.until.catch(() => undefined), io.aborted]);
      return 'continue';
    case 'error': {
      const [code, type, message] = errorWords(step.error, version, io);
      const flat = version === '0.6' || version === '0.9';
      const body = flat ? { object: 'error', message, type, param: null, code } : { error: { message, type, param: null, code } };
      if (io.stream.started) {
        // chat_completion_stream_generator: the error as a data line, then [DONE].
        io.stream.data(body);
        io.stream.end('data: [DONE]\n\n');
      } else {
        sendRawJson(io.ctx.res, code, JSON.stringify(body), 'application/json');
      }
      return 'over';
    }
    default:
      return assertNever(step, 'vLLM step');
  }
}

function errorWords(error: VllmError, version: VllmVersion, io: StepIO): [number, string, string] {
  switch (error.case) {
    case 'context-overflow': {
      if (version === '0.6') {
        const asked = io.req.maxTokens ?? 0;
        return [
          400,
          'BadRequestError',
          `This model's maximum context length is ${error.contextSize} tokens. However, you requested ${error.promptTokens + asked} tokens (${error.promptTokens} in the messages, ${asked} in the completion). Please reduce the length of the messages or completion.`,
        ];
      }
      const words = `This model's maximum context length is ${error.contextSize} tokens. However, your request has ${error.promptTokens} input tokens. Please reduce the length of the input messages.`;
      // 0.9 appends `e.__cause__` ("None", as relayed in a LiteLLM error of NVIDIA's API);
      // later versions name the parameter (VLLMValidationError).
      if (version === '0.9') return [400, 'BadRequestError', `${words} None`];
      return [400, 'BadRequestError', `${words} (parameter=input_tokens, value=${error.promptTokens})`];
    }
    case 'system-role':
      // jinja2.exceptions.TemplateError from the template's raise_exception, with its cause.
      return [400, 'BadRequestError', 'System role not supported None'];
    case 'model-not-found':
      return [404, 'NotFoundError', `The model \`${io.req.model}\` does not exist.`];
    case 'server-error':
      return [500, 'InternalServerError', error.message];
    default:
      return assertNever(error, 'vLLM error');
  }
}

function vllmDialect(version: VllmVersion): ChatDialect {
  const reasoningField = version === '0.11' ? 'reasoning' : 'reasoning_content';
  const chunk = (a: { id: string; created: number; model: string }, choices: unknown[], extra: object = {}): object => ({
    id: a.id,
    object: 'chat.completion.chunk',
    created: a.created,
    model: a.model,
    choices,
    ...extra,
  });
  const choice = (delta: object, finishReason: string | null = null, extra: object = {}): object => ({ index: 0, delta, logprobs: null, finish_reason: finishReason, ...extra });
  return {
    headers: { 'content-type': 'text/event-stream; charset=utf-8' },
    newId: () => `chatcmpl-${randomBytes(16).toString('hex')}`,
    opening: (a) => [chunk(a, [choice({ role: 'assistant', content: '' })])],
    text: (a, field, text) => chunk(a, [choice(field === 'content' ? { content: text } : { [reasoningField]: text })]),
    toolCall: (a, step) => chunk(a, [choice({ tool_calls: [toolCallDelta(step)] })]),
    closing: (a, reason, { promptTokens, completionTokens }) => {
      const finish = chunk(a, [choice({ content: '' }, reason, { stop_reason: null })]);
      if (!a.includeUsage) return [finish];
      return [finish, chunk(a, [], { usage: { prompt_tokens: promptTokens, total_tokens: promptTokens + completionTokens, completion_tokens: completionTokens } })];
    },
  };
}
