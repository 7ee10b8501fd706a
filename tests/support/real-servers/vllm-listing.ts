/**
 * The listing side of vLLM's OpenAI-compatible server (0.10, `ModelCard` in
 * vllm/entrypoints/openai/protocol.py): `GET /v1/models` lists each served model with
 * `owned_by: "vllm"`, `root` (the weights), `parent` (the base model of a LoRA
 * adapter, else null), `max_model_len` and a `permission` list. Any other path gets
 * FastAPI's 404 `{"detail": "Not Found"}`.
 */
import { sendJson, type NotFoundHandler, type Routes } from './loopback.ts';

/** One model (or LoRA adapter) vLLM serves. */
export interface VllmModel {
  /** `--served-model-name`, else the model path or Hugging Face id. */
  id: string;
  /** The weights; defaults to the id. */
  root?: string;
  /** The base model id, for a LoRA adapter. */
  parent?: string;
  /** `--max-model-len`, else the model's own. */
  maxModelLen: number;
}

/** Routes for vLLM's `/v1/models`. */
export function vllmListing(models: readonly VllmModel[]): Routes {
  return {
    'GET /v1/models': ({ res }) =>
      sendJson(res, 200, {
        object: 'list',
        data: models.map((m) => ({
          id: m.id,
          object: 'model',
          created: 1754035200,
          owned_by: 'vllm',
          root: m.root ?? m.id,
          parent: m.parent ?? null,
          max_model_len: m.maxModelLen,
          permission: [
            {
              id: 'modelperm-0b6e1e0a2b3c4d5e',
              object: 'model_permission',
              created: 1754035200,
              allow_create_engine: false,
              allow_sampling: true,
              allow_logprobs: true,
              allow_search_indices: false,
              allow_view: true,
              allow_fine_tuning: false,
              organization: '*',
              group: null,
              is_blocking: false,
            },
          ],
        })),
      }),
    'GET /health': ({ res }) => {
      res.writeHead(200);
      res.end();
    },
  };
}

/** FastAPI's 404 body. */
export const vllmNotFound: NotFoundHandler = ({ res }) => {
  sendJson(res, 404, { detail: 'Not Found' });
};
