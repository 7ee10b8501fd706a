/** What the `GET /models` listing alone says about each model, before any server-specific request. */
import type { ListedModel } from '../llm/list-models.ts';
import { idLooksLikeEmbedding } from './embedding.ts';
import { asString, positiveInt } from './fields.ts';
import { idStartsInReasoning } from './reasoning.ts';
import type { ModelInfo, ModelType } from './types.ts';

/** A model known only by its id: an embedding model if the id says so, nothing else known. */
export function fromId(id: string): ModelInfo {
  return { id, type: idLooksLikeEmbedding(id) ? 'embedding' : 'unknown', loaded: null, contextWindow: null, startsInReasoning: idStartsInReasoning(id) };
}

/**
 * A model as a plain OpenAI-compatible listing describes it. Some servers add a
 * context length (`max_model_len`: vLLM, SGLang; `context_length`) or a `type`;
 * those are taken, the rest is left unknown.
 */
export function fromListing(entry: ListedModel): ModelInfo {
  const model = fromId(entry.id);
  const window = positiveInt(entry.raw.max_model_len) ?? positiveInt(entry.raw.context_length);
  const type = listedType(asString(entry.raw.type));
  return {
    ...model,
    ...(type !== undefined ? { type } : {}),
    ...(window !== undefined ? { contextWindow: window, contextLimit: window } : {}),
  };
}

function listedType(type: string | undefined): ModelType | undefined {
  if (type === undefined) return undefined;
  if (/^embeddings?$/i.test(type)) return 'embedding';
  if (/^(llm|vlm|chat)$/i.test(type)) return 'llm';
  return undefined;
}
