/**
 * vLLM, from its `/v1/models` alone: every card says `owned_by: "vllm"` and carries
 * `max_model_len`, the longest prompt plus answer the engine accepts, and `root`,
 * the weights it serves (`ModelCard` in vllm/entrypoints/openai/protocol.py, 0.6–0.11).
 */
import type { ListedModel } from '../llm/list-models.ts';
import { asString, positiveInt } from './fields.ts';
import { fromId } from './listed.ts';
import { idLooksLikeEmbedding } from './embedding.ts';
import { idStartsInReasoning } from './reasoning.ts';
import type { ModelInfo } from './types.ts';

/** True when the listing comes from vLLM. */
export function isVllmListing(entries: readonly ListedModel[]): boolean {
  return entries.some((e) => e.raw.owned_by === 'vllm');
}

/** Each listed model: served (vLLM only lists what it has in memory), with its `max_model_len` as the window. */
export function vllmModels(entries: readonly ListedModel[]): ModelInfo[] {
  return entries.map((entry) => {
    const root = asString(entry.raw.root) ?? '';
    const window = positiveInt(entry.raw.max_model_len) ?? null;
    return {
      ...fromId(entry.id),
      // `root` names the weights even when --served-model-name hides them behind an alias.
      type: idLooksLikeEmbedding(entry.id) || idLooksLikeEmbedding(root) ? 'embedding' : 'unknown',
      loaded: true,
      contextWindow: window,
      contextLimit: window,
      startsInReasoning: idStartsInReasoning(entry.id) || idStartsInReasoning(root),
    };
  });
}
