/** One message of a chat conversation, as the OpenAI chat API takes it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Why a model stopped: it was done, it hit the token limit, or something else (tool calls, content filter). */
export type FinishReason = 'stop' | 'length' | 'other';

/** One piece of a streamed answer, in arrival order. */
export type ChatDelta =
  | { type: 'content'; text: string }
  /** `reasoning_content` (llama.cpp, LM Studio, vLLM, DeepSeek) or `reasoning` (Ollama, OpenRouter) deltas. */
  | { type: 'reasoning'; text: string }
  /** Always the last delta of an answer that ended normally. */
  | { type: 'finish'; reason: FinishReason; usage?: { completionTokens: number } };

/** What {@link streamChat} needs to ask one model for one answer. */
export interface StreamChatOptions {
  /** The OpenAI-compatible endpoint, usually ending in `/v1`. */
  baseUrl: string;
  /** Sent as a bearer token; when absent no `Authorization` header is sent at all. */
  apiKey?: string;
  model: string;
  messages: ChatMessage[];
  /** Aborting it ends the HTTP request; the stream then throws a `ModelError` of kind `aborted`. */
  signal?: AbortSignal;
  /** How long to wait for the next chunk (and for the first) before giving up; default 60 s. */
  idleTimeoutMs?: number;
  temperature?: number;
  maxTokens?: number;
}

/** The default for {@link StreamChatOptions.idleTimeoutMs}. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
