/**
 * The listing side of LM Studio 0.3.x (0.3.6 and later, REST API v0), as its docs
 * (lmstudio-ai/docs, "REST API v0") and bug tracker show it:
 * - `GET /v1/models`: `{id, object: "model", owned_by: "organization_owner"}` for every
 *   downloaded model, embedding models included, when Just-in-Time loading is on (the
 *   default); only the loaded ones when it is off;
 * - `GET /api/v0/models` and `GET /api/v0/models/ID`: `type` (`llm`, `vlm`,
 *   `embeddings`), `state`, `max_context_length`, and `loaded_context_length` once loaded;
 * - any other path: HTTP 200 with `{"error": "Unexpected endpoint or method. (GET /x)"}`
 *   (lmstudio-bug-tracker #618, #1323).
 */
import { sendJson, type NotFoundHandler, type Routes } from './loopback.ts';

/** One model LM Studio has downloaded. */
export interface LmStudioModel {
  id: string;
  type: 'llm' | 'vlm' | 'embeddings';
  /** In memory now (state `loaded`). */
  loaded?: boolean;
  /** `max_context_length`: the most it can be loaded with. */
  maxContext: number;
  /** `loaded_context_length`, when loaded: default 4096, LM Studio's default load setting. */
  loadedContext?: number;
  arch?: string;
  publisher?: string;
  quantization?: string;
}

export interface LmStudioListingOptions {
  /** Just-in-Time loading (default on): `/v1/models` lists every downloaded model, not only the loaded ones. */
  jit?: boolean;
}

/** Routes for `GET /v1/models` and the REST API v0 model endpoints. */
export function lmStudioListing(models: readonly LmStudioModel[], opts: LmStudioListingOptions = {}): Routes {
  const jit = opts.jit ?? true;
  const row = (m: LmStudioModel): Record<string, unknown> => ({
    id: m.id,
    object: 'model',
    type: m.type,
    publisher: m.publisher ?? 'lmstudio-community',
    arch: m.arch ?? (m.type === 'embeddings' ? 'nomic-bert' : 'llama'),
    compatibility_type: 'gguf',
    quantization: m.quantization ?? 'Q4_K_M',
    state: m.loaded ? 'loaded' : 'not-loaded',
    max_context_length: m.maxContext,
    ...(m.loaded ? { loaded_context_length: m.loadedContext ?? 4096 } : {}),
  });
  return {
    'GET /v1/models': ({ res }) =>
      sendJson(res, 200, {
        data: models.filter((m) => jit || m.loaded).map((m) => ({ id: m.id, object: 'model', owned_by: 'organization_owner' })),
        object: 'list',
      }),
    'GET /api/v0/models': ({ res }) => sendJson(res, 200, { object: 'list', data: models.map(row) }),
    'GET /api/v0/models/*': ({ req, res }) => {
      const id = decodeURIComponent(req.path.slice('/api/v0/models/'.length));
      const model = models.find((m) => m.id === id);
      if (model) sendJson(res, 200, row(model));
      else sendJson(res, 404, { error: `Model "${id}" not found` });
    },
  };
}

/** LM Studio answers unknown paths with 200 and an error body. */
export const lmStudioNotFound: NotFoundHandler = ({ req, res }) => {
  sendJson(res, 200, { error: `Unexpected endpoint or method. (${req.method} ${req.path})` });
};
