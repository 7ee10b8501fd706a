/**
 * The one place discovery lists a server's models. llama.cpp answers 503 "Loading
 * model" until its model is in memory, so a listing at start may wait that out.
 */
import { withLoadingRetry } from '../llm/index.ts';
import { listModelEntries, type ListedModel } from '../llm/list-models.ts';
import type { DiscoverOptions } from './types.ts';

/**
 * `GET /models` at `baseUrl`: every entry with its raw fields. With `loadingTimeoutMs`,
 * a server still loading its model is asked again until then. Throws `ModelError` like `listModels`.
 */
export function listServedModels(baseUrl: string, apiKey: string | undefined, opts: Pick<DiscoverOptions, 'signal' | 'loadingTimeoutMs'>): Promise<ListedModel[]> {
  const list = (): Promise<ListedModel[]> => listModelEntries(baseUrl, apiKey, opts.signal);
  if (opts.loadingTimeoutMs === undefined) return list();
  return withLoadingRetry(list, { timeoutMs: opts.loadingTimeoutMs, ...(opts.signal !== undefined ? { signal: opts.signal } : {}) });
}
