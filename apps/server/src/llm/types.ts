/** One message of a chat conversation, as the OpenAI chat API takes it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * Why a model stopped: it was done, it hit the token limit, it called tools instead of
 * answering in text, or something else (a content filter).
 */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'other';

/** Token counts the server reported for one answer. */
export interface ChatUsage {
  /** The prompt as the server counted it (`usage.prompt_tokens`). */
  promptTokens?: number;
  completionTokens?: number;
}

/** One piece of a streamed answer, in arrival order. */
export type ChatDelta =
  | { type: 'content'; text: string }
  /** `reasoning_content` (llama.cpp, LM Studio, vLLM, DeepSeek) or `reasoning` (Ollama, newer vLLM) deltas. */
  | { type: 'reasoning'; text: string }
  /**
   * The model called a tool instead of writing text (models tuned for tools do, unasked).
   * Given once per call, when its name is complete.
   */
  | { type: 'tool-call'; name: string }
  /**
   * The server said it is still loading the model, and Duet will ask again. `waitedMs`
   * counts from the first request; `detail` is the server's own words.
   */
  | { type: 'loading'; waitedMs: number; detail: string }
  /** Always the last delta of an answer that ended normally. */
  | { type: 'finish'; reason: FinishReason; usage?: ChatUsage };

/** How long to wait before asking a loading server again: `initialMs`, doubling up to `maxMs`. */
export interface LoadingBackoff {
  initialMs: number;
  maxMs: number;
}

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
  /**
   * How long to wait, from the request, for the first token (content, reasoning or a tool
   * call); default 5 minutes. It covers connecting, a server that loads the model before
   * answering (Ollama, LM Studio's Just-in-Time loading), the 503s of one that says it is
   * loading (llama.cpp) and prompt processing. The role-only first chunk and `: ping`
   * keep-alives prove the server alive but are not a token, so they do not stop this clock.
   */
  firstTokenTimeoutMs?: number;
  /**
   * How long to wait between chunks once the first token arrived; default 60 s. Only chunks
   * that carry some of the answer (text, a tool call, the finish, the usage) restart it:
   * keep-alive comments and empty chunks do not, so a server that keeps a stuck answer's
   * connection alive with pings still ends as `stalled`.
   */
  idleTimeoutMs?: number;
  /** Pacing of the asks to a server that answers 503 while loading; default 0.5 s doubling to 5 s. */
  loadingBackoff?: LoadingBackoff;
  temperature?: number;
  maxTokens?: number;
}

/** The default for {@link StreamChatOptions.idleTimeoutMs}. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** The default for {@link StreamChatOptions.firstTokenTimeoutMs}. */
export const DEFAULT_FIRST_TOKEN_TIMEOUT_MS = 300_000;

/** The default for {@link StreamChatOptions.loadingBackoff}. */
export const DEFAULT_LOADING_BACKOFF: Readonly<LoadingBackoff> = { initialMs: 500, maxMs: 5_000 };
