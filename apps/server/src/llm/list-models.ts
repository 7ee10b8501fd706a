import { createClient, translateRequestError } from './client.ts';
import { ModelError, displayUrl } from './errors.ts';

const LIST_TIMEOUT_MS = 15_000;

/**
 * The model ids an OpenAI-compatible server lists at `GET /models`, in its order.
 * Throws a {@link ModelError}: `unreachable`, `not-found` (with a hint about `/v1`),
 * `http`, `bad-response` or `aborted`.
 */
export async function listModels(baseUrl: string, apiKey?: string, signal?: AbortSignal): Promise<string[]> {
  const url = displayUrl(baseUrl);
  const client = createClient(baseUrl, apiKey, LIST_TIMEOUT_MS);
  let body: unknown;
  try {
    const response = await client.models.list(signal === undefined ? {} : { signal }).asResponse();
    body = await response.json();
  } catch (error) {
    throw translateRequestError(error, { url, apiKey, path: '/models' });
  }
  const ids = modelIds(body);
  if (ids === undefined) {
    throw new ModelError(
      'bad-response',
      `The server at ${url} answered GET /models with something other than an OpenAI model list. Check --base-url: it should be the OpenAI-compatible API root, usually ending in /v1.`,
      { url },
    );
  }
  return ids;
}

function modelIds(body: unknown): string[] | undefined {
  if (typeof body !== 'object' || body === null || !('data' in body) || !Array.isArray(body.data)) return undefined;
  const ids: string[] = [];
  for (const entry of body.data as unknown[]) {
    if (typeof entry === 'object' && entry !== null && 'id' in entry && typeof entry.id === 'string') ids.push(entry.id);
  }
  return ids;
}
