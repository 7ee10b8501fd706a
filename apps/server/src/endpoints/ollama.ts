/**
 * Ollama, from its own API (docs/api.md): `GET /api/version`, `GET /api/tags` (every
 * local model with `details.family`/`families`), `GET /api/ps` (the loaded ones, with
 * `context_length` since PR #11331), and `POST /api/show` per model (`capabilities`,
 * `parameters`, `template`, `model_info["<arch>.context_length"]`). `/api/show` costs
 * one request per model, so it is asked only for the models that matter.
 */
import type { ListedModel } from '../llm/list-models.ts';
import { familyIsEmbedding } from './embedding.ts';
import { asRecord, asString, positiveInt, records, strings } from './fields.ts';
import { fromId } from './listed.ts';
import { numCtxParameter, ollamaDefaultContext, ollamaWindow } from './ollama-context.ts';
import { probeJson, type ProbeTarget } from './probe.ts';
import { templateStartsInReasoning } from './reasoning.ts';
import type { ModelInfo, ModelType } from './types.ts';

/** An Ollama server: what its cheap answers told about every model, and a way to ask about one. */
export interface OllamaReading {
  models: ModelInfo[];
  /** Asks `/api/show` about one listed model; what it could not learn stays as it was. */
  describe(model: ModelInfo): Promise<ModelInfo>;
}

/** The listed models as Ollama's list answers describe them, or `undefined` when the server is not Ollama. */
export async function readOllama(entries: readonly ListedModel[], target: ProbeTarget): Promise<OllamaReading | undefined> {
  const [version, tags, ps] = await Promise.all([probeJson(target, '/api/version'), probeJson(target, '/api/tags'), probeJson(target, '/api/ps')]);
  const versionText = asString(asRecord(version)?.version);
  if (versionText === undefined) return undefined;
  const families = byName(asRecord(tags)?.models, (row) => {
    const details = asRecord(row.details);
    return [...strings(details?.families), ...(asString(details?.family) !== undefined ? [asString(details?.family) as string] : [])];
  });
  const psRows = asRecord(ps)?.models;
  const running = Array.isArray(psRows) ? byName(psRows, (row) => positiveInt(row.context_length) ?? null) : null;
  const versionDefault = ollamaDefaultContext(versionText);

  const models = entries.map((entry): ModelInfo => {
    const base = fromId(entry.id);
    const embedding = (families.get(entry.id) ?? []).some(familyIsEmbedding);
    return { ...base, type: embedding ? 'embedding' : base.type, loaded: running === null ? null : running.has(entry.id) };
  });

  const describe = async (model: ModelInfo): Promise<ModelInfo> => {
    // Newer servers read `model`, older ones `name`: both are sent.
    const show = asRecord(await probeJson(target, '/api/show', { model: model.id, name: model.id }));
    if (show === undefined) return model;
    const info = asRecord(show.model_info);
    const arch = asString(info?.['general.architecture']);
    const trained = arch !== undefined ? (positiveInt(info?.[`${arch}.context_length`]) ?? null) : null;
    const details = asRecord(show.details);
    const family = [...strings(details?.families), asString(details?.family) ?? ''];
    const template = asString(show.template);
    return {
      ...model,
      type: showType(strings(show.capabilities), family) ?? model.type,
      contextWindow: ollamaWindow({
        numCtx: numCtxParameter(asString(show.parameters) ?? ''),
        versionDefault,
        running: running?.get(model.id) ?? null,
        trained,
      }),
      contextLimit: trained,
      startsInReasoning: model.startsInReasoning === true || (template !== undefined && templateStartsInReasoning(template)),
    };
  };
  return { models, describe };
}

/** `capabilities` (Ollama 0.6.4 and later, PR #10066) decide; older servers only have the family. */
function showType(capabilities: string[], families: string[]): ModelType | undefined {
  if (capabilities.includes('completion')) return 'llm';
  if (capabilities.includes('embedding')) return 'embedding';
  return families.some((f) => f !== '' && familyIsEmbedding(f)) ? 'embedding' : undefined;
}

/** Rows of an Ollama list keyed by both `name` and `model`, which `/v1/models` uses as its id. */
function byName<T>(rows: unknown, value: (row: Record<string, unknown>) => T): Map<string, T> {
  const map = new Map<string, T>();
  for (const row of records(rows)) {
    for (const key of [asString(row.name), asString(row.model)]) if (key !== undefined) map.set(key, value(row));
  }
  return map;
}
