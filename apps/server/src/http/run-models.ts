/**
 * Which endpoint answers as A and B for one run. A model id of `demo-a` or
 * `demo-b`, or a base URL of `demo`, means the demo models this server serves
 * itself; everything else goes to the configured OpenAI-compatible server.
 */
import type { DuetConfig } from '../config/index.ts';
import type { ModelEndpoint } from '../controller/index.ts';
import { ModelError, displayUrl, listModels } from '../llm/index.ts';
import type { ModelSlot } from '../protocol/index.ts';
import { HttpError } from './errors.ts';

/** The base URL keyword for the demo models (as on the command line). */
export const DEMO_BASE_URL_KEYWORD = 'demo';

export interface ModelContext {
  config: Pick<DuetConfig, 'baseUrl' | 'baseUrlA' | 'baseUrlB' | 'modelA' | 'modelB' | 'apiKey'>;
  demoModels: readonly string[];
  /** Where this server serves the demo models: `http://127.0.0.1:PORT/demo/v1`. */
  demoBaseUrl: string;
  /** The access token, sent as the demo endpoint's API key: it is behind the same door as the rest. */
  demoApiKey: string;
}

/** The configured base URL of a slot, with `demo` resolved and no trailing slash. */
export function slotBaseUrl(ctx: ModelContext, slot: ModelSlot): string {
  const raw = (slot === 'A' ? ctx.config.baseUrlA : ctx.config.baseUrlB) ?? ctx.config.baseUrl;
  return raw === DEMO_BASE_URL_KEYWORD ? ctx.demoBaseUrl : raw.replace(/\/+$/, '');
}

/** Both endpoints of a run; a 400 or 502 that says what to change when that is impossible. */
export async function resolveRunModels(ctx: ModelContext, wanted: { modelA?: string | undefined; modelB?: string | undefined }, signal?: AbortSignal): Promise<{ A: ModelEndpoint; B: ModelEndpoint }> {
  const listed = new Map<string, Promise<string[]>>();
  const idsAt = (url: string): Promise<string[]> => {
    let ids = listed.get(url);
    if (!ids) {
      ids = listModels(url, ctx.config.apiKey, signal);
      listed.set(url, ids);
    }
    return ids;
  };
  const pick = async (slot: ModelSlot): Promise<ModelEndpoint> => {
    const id = (slot === 'A' ? wanted.modelA : wanted.modelB) ?? (slot === 'A' ? ctx.config.modelA : ctx.config.modelB);
    const url = slotBaseUrl(ctx, slot);
    const demo = (model: string): ModelEndpoint => ({ id: model, baseUrl: ctx.demoBaseUrl, apiKey: ctx.demoApiKey, label: DEMO_BASE_URL_KEYWORD });
    if (id !== undefined && ctx.demoModels.includes(id)) return demo(id);
    if (url === ctx.demoBaseUrl) {
      if (id !== undefined) throw new HttpError(400, `Model ${slot} "${id}" is not a demo model; the demo models are ${ctx.demoModels.join(', ')}.`);
      return demo(ctx.demoModels[slot === 'A' ? 0 : Math.min(1, ctx.demoModels.length - 1)] as string);
    }
    const endpoint = (model: string): ModelEndpoint => ({ id: model, baseUrl: url, ...(ctx.config.apiKey ? { apiKey: ctx.config.apiKey } : {}) });
    if (id !== undefined) return endpoint(id);
    let ids: string[];
    try {
      ids = await idsAt(url);
    } catch (err) {
      const message = err instanceof ModelError ? err.message : `Could not list the models at ${displayUrl(url)}.`;
      throw new HttpError(502, `${message} To try Duet without a model server, pick the demo models (${ctx.demoModels.join(', ')}).`);
    }
    if (ids.length === 0) {
      throw new HttpError(502, `The model server at ${displayUrl(url)} lists no models. Load a model there, or pick the demo models (${ctx.demoModels.join(', ')}).`);
    }
    return endpoint(ids[slot === 'A' ? 0 : Math.min(1, ids.length - 1)] as string);
  };
  const [A, B] = await Promise.all([pick('A'), pick('B')]);
  return { A, B };
}
