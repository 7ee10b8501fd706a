/** What Duet finds out about a model server and the models it lists. */
import type { ServerKind } from '../controller/types.ts';

/** `llm`: can chat (LM Studio's `vlm` too); `embedding`: turns text into vectors and cannot chat; `unknown`: nothing says either way. */
export type ModelType = 'llm' | 'embedding' | 'unknown';

/** One listed model, as far as the server's answers told. `null` means the server did not say. */
export interface ModelInfo {
  /** The id exactly as `GET /models` lists it: the one to send. */
  id: string;
  type: ModelType;
  /** Whether the model sits in memory now; `null` where the server does not say. */
  loaded: boolean | null;
  /**
   * The context window, in tokens, that a chat request through the OpenAI-compatible
   * API gets: llama.cpp's slot size, vLLM's `max_model_len`, LM Studio's loaded
   * context, Ollama's `num_ctx` or its default. `null` when no answer said.
   */
  contextWindow: number | null;
  /** The largest window the model or server allows (trained length, LM Studio's `max_context_length`), when known. */
  contextLimit?: number | null;
  /** The chat template or the id says answers begin inside reasoning with no `<think>` sent (DeepSeek-R1 style). */
  startsInReasoning?: boolean;
}

/** A model server: which software it is and what it lists, in its order. */
export interface EndpointInfo {
  kind: ServerKind;
  models: ModelInfo[];
}

/** How long discovery may take and who may stop it. */
export interface DiscoverOptions {
  signal?: AbortSignal;
  /** Each extra request (beyond `GET /models`) gives up after this long; default 3000 ms. */
  timeoutMs?: number;
  /** While the server answers `GET /models` with 503 "Loading model", ask again until this long has passed (the first-token timeout); by default ask once. */
  loadingTimeoutMs?: number;
}
