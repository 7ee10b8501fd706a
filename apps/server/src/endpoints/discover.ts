/**
 * Which server answers at a base URL and what it knows about each model it lists:
 * `GET /models`, then a few cheap requests to the server's own API at its origin.
 * Only the listing may fail; every other answer just fills in fields or leaves them unknown.
 */
import type { ServerKind } from '../controller/types.ts';
import { fromListing } from './listed.ts';
import { isLlamaCppListing, readLlamaCpp } from './llama-cpp.ts';
import { listServedModels } from './listing.ts';
import { readLmStudio } from './lm-studio.ts';
import { readOllama, type OllamaReading } from './ollama.ts';
import { serverOrigin, type ProbeTarget } from './probe.ts';
import type { DiscoverOptions, EndpointInfo, ModelInfo } from './types.ts';
import { isVllmListing, vllmModels } from './vllm.ts';

const DEFAULT_PROBE_TIMEOUT_MS = 3000;

/** How many models {@link discoverEndpoint} describes one by one (Ollama's `/api/show`) before it stops asking. */
export const DESCRIBE_AT_MOST = 8;

/**
 * An endpoint being discovered. What the listing and the server's list answers said is
 * there at once; what needs a request per model (Ollama's `/api/show`) is asked for
 * with {@link EndpointDiscovery.describe}, only for the models that are wanted.
 */
export interface EndpointDiscovery {
  /** What is known now. */
  readonly info: EndpointInfo;
  /** True when {@link describe} could still learn something about this model. */
  canDescribe(id: string): boolean;
  /** Asks about these models (each at most once) and returns what is known then. */
  describe(ids: readonly string[]): Promise<EndpointInfo>;
}

/**
 * Lists the models at `baseUrl` and tells which server it is: vLLM from its listing,
 * else LM Studio (`/api/v0/models`), llama.cpp (`/props`) or Ollama (`/api/version`),
 * asked at once. Throws `ModelError` only when the listing fails.
 */
export async function openEndpoint(baseUrl: string, apiKey?: string, opts: DiscoverOptions = {}): Promise<EndpointDiscovery> {
  const entries = await listServedModels(baseUrl, apiKey, opts);
  if (isVllmListing(entries)) return settled('vllm', vllmModels(entries));
  const target: ProbeTarget = { origin: serverOrigin(baseUrl), apiKey, signal: opts.signal, timeoutMs: opts.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS };
  // LM Studio's `owned_by` is always "organization_owner" and llama.cpp's "llamacpp": then only that server's own request is worth making.
  const llamaCpp = isLlamaCppListing(entries);
  const lmStudio = entries.some((e) => e.raw.owned_by === 'organization_owner');
  const [lm, cpp, ollama] = await Promise.all([
    llamaCpp ? undefined : readLmStudio(entries, target),
    lmStudio ? undefined : readLlamaCpp(entries, target),
    llamaCpp || lmStudio ? undefined : readOllama(entries, target),
  ]);
  if (lm) return settled('lmstudio', lm);
  if (cpp) return settled('llamacpp', cpp);
  if (ollama) return describing(ollama);
  return settled('openai-compatible', entries.map(fromListing));
}

/**
 * What a server says about its models, describing at most {@link DESCRIBE_AT_MOST}
 * of them one by one (the first listed chat models). Throws `ModelError` only when the
 * listing fails.
 */
export async function discoverEndpoint(baseUrl: string, apiKey?: string, opts: DiscoverOptions = {}): Promise<EndpointInfo> {
  const endpoint = await openEndpoint(baseUrl, apiKey, opts);
  const ids = endpoint.info.models.filter((m) => m.type !== 'embedding' && endpoint.canDescribe(m.id)).map((m) => m.id);
  return endpoint.describe(ids.slice(0, DESCRIBE_AT_MOST));
}

/** An endpoint whose answers are all in. */
function settled(kind: ServerKind, models: ModelInfo[]): EndpointDiscovery {
  const info: EndpointInfo = { kind, models };
  return { info, canDescribe: () => false, describe: () => Promise.resolve(info) };
}

/** An Ollama endpoint, which learns about a model with one `/api/show` per model. */
function describing(ollama: OllamaReading): EndpointDiscovery {
  let info: EndpointInfo = { kind: 'ollama', models: ollama.models };
  const asked = new Set<string>();
  const listed = (id: string): boolean => info.models.some((m) => m.id === id);
  return {
    get info() {
      return info;
    },
    canDescribe: (id) => listed(id) && !asked.has(id),
    async describe(ids) {
      const fresh = [...new Set(ids)].filter((id) => listed(id) && !asked.has(id));
      fresh.forEach((id) => asked.add(id));
      const described = new Map((await Promise.all(info.models.filter((m) => fresh.includes(m.id)).map(async (m) => [m.id, await ollama.describe(m)] as const))));
      info = { kind: 'ollama', models: info.models.map((m) => described.get(m.id) ?? m) };
      return info;
    },
  };
}
