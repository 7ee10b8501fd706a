import { createClient, translateRequestError } from './client.ts';
import { ModelError, displayUrl } from './errors.ts';
import { setting } from './settings-words.ts';

const LIST_TIMEOUT_MS = 15_000;

/**
 * One entry of a `GET /models` answer: its id, and the whole entry as the server sent
 * it, since servers add their own fields (vLLM `max_model_len`, llama.cpp `meta`,
 * `owned_by`) that say which server it is and how large its context is.
 */
export interface ListedModel {
  id: string;
  raw: Readonly<Record<string, unknown>>;
}

/**
 * The model ids an OpenAI-compatible server lists at `GET /models`, in its order.
 * Throws a {@link ModelError}: `unreachable`, `not-found` (with a hint about `/v1`),
 * `http`, `bad-response` or `aborted`.
 */
export async function listModels(baseUrl: string, apiKey?: string, signal?: AbortSignal): Promise<string[]> {
  return (await listModelEntries(baseUrl, apiKey, signal)).map((m) => m.id);
}

/**
 * The entries an OpenAI-compatible server lists at `GET /models`, in its order, each
 * with the fields the server added. Entries without a string id are skipped. Throws
 * like {@link listModels}.
 */
export async function listModelEntries(baseUrl: string, apiKey?: string, signal?: AbortSignal): Promise<ListedModel[]> {
  const url = displayUrl(baseUrl);
  const client = createClient(baseUrl, apiKey, LIST_TIMEOUT_MS);
  let body: unknown;
  try {
    const response = await client.models.list(signal === undefined ? {} : { signal }).asResponse();
    body = await response.json();
  } catch (error) {
    throw translateRequestError(error, { url, apiKey, path: '/models' });
  }
  const entries = modelEntries(body);
  if (entries === undefined) {
    throw new ModelError(
      'bad-response',
      `The server at ${url} answered GET /models with something other than an OpenAI model list. Check ${setting('base-url')}: it should be the OpenAI-compatible API root, usually ending in /v1.`,
      { url },
    );
  }
  return entries;
}

function modelEntries(body: unknown): ListedModel[] | undefined {
  if (typeof body !== 'object' || body === null || !('data' in body) || !Array.isArray(body.data)) return undefined;
  const entries: ListedModel[] = [];
  for (const entry of body.data as unknown[]) {
    if (typeof entry === 'object' && entry !== null && 'id' in entry && typeof entry.id === 'string') {
      entries.push({ id: entry.id, raw: entry as Record<string, unknown> });
    }
  }
  return entries;
}
