/**
 * Which model answers as A and which as B, and where each lives. Ids default to
 * what the server's `GET /models` lists: the first two, or the one id twice.
 */
import { listModels, ModelError, displayUrl } from '../llm/index.ts';
import type { ModelEndpoint } from '../controller/types.ts';
import { ConfigError, type DuetConfig } from './config.ts';

export interface ResolvedModels {
  A: ModelEndpoint;
  B: ModelEndpoint;
}

/** The base URL keyword that selects Duet's built-in demo models. */
export const DEMO_KEYWORD = 'demo';

/**
 * Checks both endpoints and picks the ids. `demoBaseUrl` is where the demo
 * models listen when a base URL is `demo`. Throws {@link ConfigError} with what
 * to check when a server cannot be reached or lacks the model asked for.
 */
export async function resolveModels(
  config: Pick<DuetConfig, 'baseUrl' | 'baseUrlA' | 'baseUrlB' | 'modelA' | 'modelB' | 'apiKey'>,
  demoBaseUrl?: string,
  signal?: AbortSignal,
): Promise<ResolvedModels> {
  const urlFor = (u: string | undefined): string => {
    const url = u ?? config.baseUrl;
    if (url === DEMO_KEYWORD) {
      if (!demoBaseUrl) throw new ConfigError('The demo models were asked for, but the demo server is not running.');
      return demoBaseUrl;
    }
    return url.replace(/\/+$/, '');
  };
  const urlA = urlFor(config.baseUrlA);
  const urlB = urlFor(config.baseUrlB);
  const listed = new Map<string, string[]>();
  const idsAt = async (url: string): Promise<string[]> => {
    const known = listed.get(url);
    if (known) return known;
    try {
      const ids = await listModels(url, url === demoBaseUrl ? undefined : config.apiKey, signal);
      listed.set(url, ids);
      return ids;
    } catch (err) {
      if (err instanceof ModelError) throw new ConfigError(err.message);
      throw err;
    }
  };
  const pick = async (url: string, wanted: string | undefined, slot: 'A' | 'B'): Promise<ModelEndpoint> => {
    const ids = await idsAt(url);
    const endpoint = (id: string): ModelEndpoint => ({
      id,
      baseUrl: url,
      ...(url === demoBaseUrl ? { label: DEMO_KEYWORD } : {}),
      ...(config.apiKey && url !== demoBaseUrl ? { apiKey: config.apiKey } : {}),
    });
    if (wanted !== undefined) {
      // Some servers (Ollama, vLLM) serve ids they do not list; only refuse when the list is non-empty and lacks it.
      if (ids.length > 0 && !ids.includes(wanted)) {
        throw new ConfigError(`Model ${slot} "${wanted}" is not served at ${displayUrl(url)}. It lists: ${ids.join(', ')}. Pass one of these with --model-${slot.toLowerCase()}.`);
      }
      return endpoint(wanted);
    }
    if (ids.length === 0) {
      throw new ConfigError(`The model server at ${displayUrl(url)} lists no models. Load a model (in LM Studio: the Developer tab) or pass --model-${slot.toLowerCase()}.`);
    }
    // One server for both: A and B differ where it can; two servers: each its first.
    const index = slot === 'A' || urlA !== urlB ? 0 : Math.min(1, ids.length - 1);
    return endpoint(ids[index] as string);
  };
  const A = await pick(urlA, config.modelA, 'A');
  const B = await pick(urlB, config.modelB, 'B');
  return { A, B };
}
