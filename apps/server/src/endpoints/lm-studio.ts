/**
 * LM Studio, from its REST API v0 (`GET /api/v0/models`, LM Studio 0.3.6 and later):
 * every downloaded model with `type` (`llm`, `vlm`, `embeddings`), `state`
 * (`loaded`, `not-loaded`), `max_context_length` and, once loaded,
 * `loaded_context_length`.
 *
 * The window of a model that is not loaded is left unknown: `max_context_length` is
 * only the most it could be loaded with, and a JIT load (the first request for it)
 * uses the model's default load settings, 4096 tokens unless the user changed them
 * in LM Studio, which the API does not show. Duet's default of 4096 then applies,
 * capped by `max_context_length` (see `contextFor` in choose.ts).
 */
import type { ListedModel } from '../llm/list-models.ts';
import { familyIsEmbedding } from './embedding.ts';
import { asRecord, asString, positiveInt, records } from './fields.ts';
import { fromId } from './listed.ts';
import { probeJson, type ProbeTarget } from './probe.ts';
import type { ModelInfo, ModelType } from './types.ts';

/** The listed models as LM Studio describes them, or `undefined` when the server is not LM Studio. */
export async function readLmStudio(entries: readonly ListedModel[], target: ProbeTarget): Promise<ModelInfo[] | undefined> {
  const body = asRecord(await probeJson(target, '/api/v0/models'));
  if (body === undefined || !Array.isArray(body.data)) return undefined;
  const rows = new Map<string, Record<string, unknown>>();
  for (const row of records(body.data)) {
    const id = asString(row.id);
    if (id === undefined) continue;
    // A model loaded twice, or loading, can appear beside its not-loaded row: the loaded one tells the truth.
    if (!rows.has(id) || row.state === 'loaded') rows.set(id, row);
  }
  return entries.map((entry) => {
    const row = rows.get(entry.id);
    const base = fromId(entry.id);
    if (row === undefined) return base;
    const loaded = row.state === 'loaded' ? true : row.state === 'not-loaded' ? false : null;
    return {
      ...base,
      type: lmStudioType(asString(row.type), asString(row.arch)) ?? base.type,
      loaded,
      contextWindow: loaded === true ? (positiveInt(row.loaded_context_length) ?? null) : null,
      contextLimit: positiveInt(row.max_context_length) ?? null,
    };
  });
}

function lmStudioType(type: string | undefined, arch: string | undefined): ModelType | undefined {
  if (type === 'embeddings') return 'embedding';
  if (type === 'llm' || type === 'vlm') return 'llm';
  return arch !== undefined && familyIsEmbedding(arch) ? 'embedding' : undefined;
}
