/**
 * The listing side of Ollama 0.11 (docs/api.md; openai/openai.go `ToListCompletion`;
 * server/routes.go), which every fake model here answers as:
 * - `GET /v1/models`: `{id: "llama3.2:latest", object: "model", created, owned_by: "library"}`;
 * - `GET /api/tags`: every local model with `details.family`/`families`;
 * - `GET /api/ps`: the loaded ones, with `context_length` (PR #11331, 0.10);
 * - `POST /api/show` `{model}`: `capabilities` (0.6.4), `parameters` text, `template`,
 *   `model_info["<arch>.context_length"]`; an untagged name means `:latest`; 404
 *   `{"error": "model 'x' not found"}` otherwise;
 * - `GET /api/version`: `{"version": "0.11.4"}` (or the version given);
 * - any other path: 404 with Gin's plain-text `404 page not found`.
 */
import { sendJson, type NotFoundHandler, type Routes } from './loopback.ts';

/** One model Ollama has pulled. */
export interface OllamaModel {
  /** With its tag, as Ollama names it: `llama3.2:latest`. */
  name: string;
  /** `details.family`, e.g. `llama`, `qwen2`, `nomic-bert`. */
  family: string;
  /** `/api/show` `capabilities`; left out as servers before 0.6.4 do when not given. */
  capabilities?: string[];
  /** The trained length, `model_info["<family>.context_length"]`. */
  contextLength: number;
  /** `PARAMETER num_ctx` in its Modelfile, shown in `parameters`. */
  numCtx?: number;
  /** The Go template `/api/show` returns. */
  template?: string;
  /** In `/api/ps`. */
  loaded?: boolean;
  /** `context_length` in `/api/ps` while loaded (default 4096). */
  runningContext?: number;
}

export interface OllamaListingOptions {
  /** What `/api/version` says; default `0.11.4`. */
  version?: string;
}

const MODIFIED = '2025-08-01T10:00:00.000000000+02:00';
const DIGEST = 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72';

/** Routes for Ollama's model listing endpoints. */
export function ollamaListing(models: readonly OllamaModel[], opts: OllamaListingOptions = {}): Routes {
  const details = (m: OllamaModel) => ({ parent_model: '', format: 'gguf', family: m.family, families: [m.family], parameter_size: '3.2B', quantization_level: 'Q4_K_M' });
  const find = (name: string): OllamaModel | undefined => models.find((m) => m.name === name || m.name === `${name}:latest`);
  return {
    'GET /v1/models': ({ res }) =>
      sendJson(res, 200, { object: 'list', data: models.map((m) => ({ id: m.name, object: 'model', created: 1754035200, owned_by: 'library' })) }),
    'GET /api/tags': ({ res }) =>
      sendJson(res, 200, { models: models.map((m) => ({ name: m.name, model: m.name, modified_at: MODIFIED, size: 2019393189, digest: DIGEST, details: details(m) })) }),
    'GET /api/ps': ({ res }) =>
      sendJson(res, 200, {
        models: models
          .filter((m) => m.loaded)
          .map((m) => ({ name: m.name, model: m.name, size: 3_000_000_000, digest: DIGEST, details: details(m), expires_at: '2025-08-01T10:05:00+02:00', size_vram: 3_000_000_000, context_length: m.runningContext ?? 4096 })),
      }),
    'GET /api/version': ({ res }) => sendJson(res, 200, { version: opts.version ?? '0.11.4' }),
    'POST /api/show': ({ req, res }) => {
      const body = req.body as { model?: unknown; name?: unknown } | undefined;
      const name = typeof body?.model === 'string' ? body.model : typeof body?.name === 'string' ? body.name : '';
      const model = find(name);
      if (!model) return sendJson(res, 404, { error: `model '${name}' not found` });
      sendJson(res, 200, {
        license: '',
        modelfile: `FROM /root/.ollama/models/blobs/sha256-${DIGEST}\n`,
        parameters: [...(model.numCtx !== undefined ? [`num_ctx                        ${model.numCtx}`] : []), 'stop                           "<|eot_id|>"'].join('\n'),
        template: model.template ?? '{{ .Prompt }}',
        details: details(model),
        model_info: { 'general.architecture': model.family, [`${model.family}.context_length`]: model.contextLength, 'general.parameter_count': 3212749888 },
        ...(model.capabilities ? { capabilities: model.capabilities } : {}),
        modified_at: MODIFIED,
      });
    },
  };
}

/** Ollama's router answers unknown paths with Gin's plain-text 404. */
export const ollamaNotFound: NotFoundHandler = ({ res }) => {
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('404 page not found');
};
