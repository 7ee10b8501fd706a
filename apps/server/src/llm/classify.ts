import type { ServerErrorFacts } from './server-error.ts';

/** What a server's refusal means for Duet, read from its status and its own words. */
export type Refusal =
  /** The prompt does not fit the model's context window; the numbers when the server gave them. */
  | { kind: 'context-overflow'; promptTokens?: number; contextWindow?: number }
  /** The model's chat template rejects the `system` role. */
  | { kind: 'system-role' }
  /** LM Studio has no model loaded, and Just-in-Time loading is off or failed. */
  | { kind: 'no-model-loaded' }
  /** A 503 saying the model is still loading: worth asking again. */
  | { kind: 'loading' }
  /** Nothing Duet recognises; the server's words say the rest. */
  | { kind: 'other' };

/** `type` or `code` values that name a context overflow. */
const OVERFLOW_NAMES = new Set([
  'exceed_context_size_error', // llama.cpp
  'context_length_exceeded', // OpenAI's code; llama.cpp's generation error code
]);

/** How each server words a prompt that does not fit. */
const OVERFLOW_TEXTS: readonly RegExp[] = [
  // llama.cpp: "request (N tokens) exceeds the available context size (M tokens), try increasing it";
  // 2025 builds: "the request exceeds the available context size. try increasing the context size or enable context shift"
  /exceeds? the available context size/i,
  // vLLM and OpenAI: "This model's maximum context length is M tokens. However, your request has N input tokens."
  /maximum context length is \d+ tokens/i,
  // LM Studio 0.4: "Cannot truncate prompt with n_keep (N) >= n_ctx (M)"
  /n_keep\b.*>=\s*n_ctx/i,
  // LM Studio 0.3: "Trying to keep the first N tokens when context the overflows. However, the model is loaded with context length of only M tokens"
  /context length of only \d+ tokens/i,
  // LM Studio 0.4.21: "Input does not fit in context length. The input has N tokens, but the context length only supports M tokens."
  /does not fit in (?:the )?context/i,
  // MLX engines: "Context size has been exceeded"; others: "context length exceeded"
  /context (?:length|size|window)\b[^.]{0,40}\b(?:exceed|overflow)/i,
  // llama.cpp for embeddings: "input (N tokens) is larger than the max context size"; Ollama: "input length exceeds the context length"
  /\b(?:exceeds?|larger than|longer than)\b[^.]{0,40}\bcontext (?:length|size|window)\b/i,
];

/** Where each server puts the prompt's size in its words. */
const PROMPT_TOKENS: readonly RegExp[] = [
  /request \((\d+) tokens\) exceeds/i, // llama.cpp
  /your request has (\d+) input tokens/i, // vLLM ≥ 0.9
  /prompt contains (?:at least )?(\d+) input tokens/i, // vLLM, max_tokens too large
  /\((\d+) in the messages/i, // vLLM before 0.9: "you requested T tokens (N in the messages, K in the completion)"
  /n_keep \(?(\d+)\)?/i, // LM Studio 0.4
  /keep the first (\d+) tokens/i, // LM Studio 0.3
  /input has (\d+) tokens/i, // LM Studio 0.4.21
];

/** Where each server puts the context window's size in its words. */
const CONTEXT_WINDOW: readonly RegExp[] = [
  /available context size \((\d+) tokens\)/i, // llama.cpp
  /maximum context length is (\d+) tokens/i, // vLLM, OpenAI
  /n_ctx \(?(\d+)\)?/i, // LM Studio 0.4
  /context length of only (\d+) tokens/i, // LM Studio 0.3
  /context length only supports (\d+) tokens/i, // LM Studio 0.4.21
];

/** How chat templates say they refuse a `system` message (Jinja `raise_exception` texts). */
const SYSTEM_ROLE_TEXTS: readonly RegExp[] = [
  /system role not supported/i, // Gemma 2 templates (vLLM PR #2964, chat-ui #1386)
  /conversation roles must alternate/i, // Mistral and Llama 2 templates: "Conversation roles must alternate user/assistant/user/assistant/..."
  /only user and assistant roles are supported/i, // Mistral 7B Instruct v0.3 (lmstudio-bug-tracker #1054)
  /system message must be at the beginning/i, // Qwen 3 templates (ollama/ollama#18241)
];

/** LM Studio: "No models loaded. Please load a model in the developer page or use the `lms load` command." */
const NO_MODEL_TEXT = /\bno models? (?:are )?loaded\b/i;

/** llama.cpp's 503 while it loads: `{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}`. */
const LOADING_TEXT = /\bloading\b/i;

/**
 * Reads what a refusal means. `status` is the HTTP status, or the `code` of an error sent
 * inside a stream, or `undefined` when neither is known.
 */
export function classifyRefusal(status: number | undefined, facts: ServerErrorFacts | undefined): Refusal {
  if (facts === undefined) return { kind: 'other' };
  const text = facts.message;
  if (status === 503 && LOADING_TEXT.test(text)) return { kind: 'loading' };
  if (NO_MODEL_TEXT.test(text)) return { kind: 'no-model-loaded' };
  if (isOverflow(facts)) {
    const promptTokens = facts.promptTokens ?? firstNumber(text, PROMPT_TOKENS);
    const contextWindow = facts.contextWindow ?? firstNumber(text, CONTEXT_WINDOW);
    return {
      kind: 'context-overflow',
      ...(promptTokens === undefined ? {} : { promptTokens }),
      ...(contextWindow === undefined ? {} : { contextWindow }),
    };
  }
  if (SYSTEM_ROLE_TEXTS.some((re) => re.test(text))) return { kind: 'system-role' };
  return { kind: 'other' };
}

function isOverflow(facts: ServerErrorFacts): boolean {
  if (facts.type !== undefined && OVERFLOW_NAMES.has(facts.type)) return true;
  if (typeof facts.code === 'string' && OVERFLOW_NAMES.has(facts.code)) return true;
  return OVERFLOW_TEXTS.some((re) => re.test(facts.message));
}

function firstNumber(text: string, patterns: readonly RegExp[]): number | undefined {
  for (const re of patterns) {
    const match = re.exec(text);
    if (match?.[1] !== undefined) return Number(match[1]);
  }
  return undefined;
}
