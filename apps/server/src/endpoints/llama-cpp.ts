/**
 * llama.cpp's server (`llama-server`), from `GET /props`: `default_generation_settings.n_ctx`
 * is the context of one slot, which is what one request gets (`-c` divided among
 * `--parallel` slots), and `chat_template` is the Jinja template it applies. Its
 * `/v1/models` lists the one model it serves, by alias or file path, with `meta.n_ctx_train`
 * (builds of 2025; router mode lists several with `status.value`).
 */
import type { ListedModel } from '../llm/list-models.ts';
import { idLooksLikeEmbedding } from './embedding.ts';
import { asRecord, asString, positiveInt } from './fields.ts';
import { fromId } from './listed.ts';
import { probeJson, type ProbeTarget } from './probe.ts';
import { idStartsInReasoning, templateStartsInReasoning } from './reasoning.ts';
import type { ModelInfo } from './types.ts';

/** True when the listing's `owned_by` names llama.cpp. */
export function isLlamaCppListing(entries: readonly ListedModel[]): boolean {
  return entries.some((e) => e.raw.owned_by === 'llamacpp');
}

/** The listed models as llama.cpp describes them, or `undefined` when the server is not llama.cpp. */
export async function readLlamaCpp(entries: readonly ListedModel[], target: ProbeTarget): Promise<ModelInfo[] | undefined> {
  const props = asRecord(await probeJson(target, '/props'));
  const settings = asRecord(props?.default_generation_settings);
  if (settings === undefined && !isLlamaCppListing(entries)) return undefined;
  // One model: /props speaks of it. Router mode lists several, and /props without ?model= is the router's own.
  const single = entries.length === 1 && asRecord(entries[0]?.raw.status) === undefined;
  return entries.map((entry) => {
    const meta = asRecord(entry.raw.meta);
    const status = asString(asRecord(entry.raw.status)?.value);
    const path = single ? (asString(props?.model_path) ?? '') : (asString(entry.raw.path) ?? '');
    const template = single ? asString(props?.chat_template) : undefined;
    const window = (single ? positiveInt(settings?.n_ctx) : undefined) ?? positiveInt(meta?.n_ctx);
    return {
      ...fromId(entry.id),
      type: idLooksLikeEmbedding(entry.id) || idLooksLikeEmbedding(path) ? 'embedding' : 'unknown',
      // A single-model server only answers once its model is loaded; a router says per model.
      loaded: status === undefined ? true : status === 'loaded',
      contextWindow: window ?? null,
      contextLimit: positiveInt(meta?.n_ctx_train) ?? window ?? null,
      startsInReasoning: idStartsInReasoning(entry.id) || idStartsInReasoning(path) || (template !== undefined && templateStartsInReasoning(template)),
    };
  });
}
