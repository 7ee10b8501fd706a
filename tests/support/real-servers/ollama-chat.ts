/**
 * The chat side of a fake Ollama server's OpenAI compatibility layer, Ollama 0.9 to 2026,
 * written from ollama/ollama openai/openai.go (ToChunk, NewError) and
 * middleware/openai.go (ChatWriter):
 *
 * - every chunk is `{"id":"chatcmpl-<0–998>","object":"chat.completion.chunk","created":…,
 *   "model":…,"system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant",
 *   "content":…},"finish_reason":null}]}`: the role rides on every chunk, `content` is always
 *   there (`""` when empty), and there is no role-only chunk;
 * - thinking (Ollama ≥ 0.9 with `think`) in `delta.reasoning`, beside `content: ""`;
 * - tool calls whole, in one chunk (`{"id","index","type":"function","function":{"name","arguments"}}`),
 *   and the finish reason `tool_calls` after one was sent;
 * - the finish chunk `delta: {"role":"assistant","content":""}`, then with include_usage a
 *   copy of it with `choices: []` and `usage`, then `data: [DONE]`; LF line ends
 *   (`fmt.Sprintf("data: %s\n\n", d)`); no keep-alive comments;
 * - errors `{"error":{"message":…,"type":…,"param":null,"code":null}}` (`openai.NewError`),
 *   `type` by status: `invalid_request_error` (400), `not_found_error` (404), `api_error`;
 *   Go's JSON encoder ends the body with a newline;
 * - loading: Ollama loads the model before it writes anything, so the headers wait.
 */
import { assertNever } from '@duet/kernel';
import type { Routes } from './loopback.ts';
import { chatRoute, sendRawJson, type ChatDialect, type ChatScript, type CommonStep, type StepIO, type StepOutcome } from './scripted-chat.ts';

/** An error this server answers with, in its own words. */
export type OllamaError =
  /** A model that was never pulled (or a tag that does not exist). */
  | { case: 'model-not-found' }
  /**
   * A prompt larger than `num_ctx`. Ollama used to truncate silently (ollama#4967); builds
   * with PR #16712 (2026) refuse, relaying llama-server's own error body as the text of
   * theirs (ollama#16800).
   */
  | { case: 'context-overflow'; promptTokens: number; contextSize: number }
  | { case: 'server-error'; message: string };

/** What the Ollama fake can do while answering. */
export type OllamaStep =
  | CommonStep
  /** A cold load: nothing, not even the headers, until the model is in memory. */
  | { type: 'loading'; until: Promise<unknown> }
  | { type: 'error'; error: OllamaError };

/** The chat route table of a fake Ollama server: `POST /v1/chat/completions`. */
export function ollamaChat(script: ChatScript<OllamaStep>): Routes {
  return {
    'POST /v1/chat/completions': chatRoute<Exclude<OllamaStep, CommonStep>>({ script, dialect: ollamaDialect(), special: playSpecial }),
  };
}

async function playSpecial(step: Exclude<OllamaStep, CommonStep>, io: StepIO): Promise<StepOutcome> {
  switch (step.type) {
    case 'loading':
      await Promise.race([step.until.catch(() => undefined), io.aborted]);
      return 'continue';
    case 'error': {
      if (io.stream.started) throw new Error('the Ollama fake sends errors before the stream only');
      const [status, message] = errorWords(step.error, io.req.model);
      const type = status === 400 ? 'invalid_request_error' : status === 404 ? 'not_found_error' : 'api_error';
      sendRawJson(io.ctx.res, status, `${JSON.stringify({ error: { message, type, param: null, code: null } })}\n`, 'application/json');
      return 'over';
    }
    default:
      return assertNever(step, 'Ollama step');
  }
}

function errorWords(error: OllamaError, model: string): [number, string] {
  switch (error.case) {
    case 'model-not-found':
      return [404, `model "${model}" not found, try pulling it first`];
    case 'context-overflow':
      // The runner's (llama-server's) body, passed on as a string (ollama#16800).
      return [
        400,
        JSON.stringify({
          error: {
            code: 400,
            message: `request (${error.promptTokens} tokens) exceeds the available context size (${error.contextSize} tokens), try increasing it`,
            type: 'exceed_context_size_error',
            n_prompt_tokens: error.promptTokens,
            n_ctx: error.contextSize,
          },
        }),
      ];
    case 'server-error':
      return [500, error.message];
    default:
      return assertNever(error, 'Ollama error');
  }
}

function ollamaDialect(): ChatDialect {
  const chunk = (a: { id: string; created: number; model: string }, choices: unknown[], extra: object = {}): object => ({
    id: a.id,
    object: 'chat.completion.chunk',
    created: a.created,
    model: a.model,
    system_fingerprint: 'fp_ollama',
    choices,
    ...extra,
  });
  const choice = (delta: object, finishReason: string | null = null): object => ({ index: 0, delta: { role: 'assistant', content: '', ...delta }, finish_reason: finishReason });
  return {
    headers: { 'Content-Type': 'text/event-stream' },
    newId: () => `chatcmpl-${Math.floor(Math.random() * 999)}`,
    opening: () => [],
    text: (a, field, text) => chunk(a, [choice(field === 'content' ? { content: text } : { reasoning: text })]),
    toolCall: (a, step) =>
      chunk(a, [
        choice({
          tool_calls: [
            { id: step.id ?? `call_${Math.random().toString(36).slice(2, 10)}`, index: step.index ?? 0, type: 'function', function: { name: step.name ?? '', arguments: step.arguments ?? '{}' } },
          ],
        }),
      ]),
    closing: (a, reason, { promptTokens, completionTokens }) => {
      const finish = chunk(a, [choice({}, reason)]);
      if (!a.includeUsage) return [finish];
      return [finish, chunk(a, [], { usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } })];
    },
  };
}
