/**
 * The listing side of llama.cpp's `llama-server` (builds b5xxx–b6xxx of 2025,
 * tools/server/server.cpp), serving one model:
 * - `GET /v1/models` (and `/models`): one entry whose id is the `--alias`, else the
 *   model's file path, `owned_by: "llamacpp"`, with `meta` (`n_ctx_train`, …); an
 *   Ollama-style `models` list beside it;
 * - `GET /props`: `default_generation_settings.n_ctx` (one slot's context: `-c` over
 *   `--parallel`), `total_slots`, `model_path`, `chat_template`, `build_info`;
 * - any other path: 404 `{"error": {"code": 404, "message": "File Not Found", "type": "not_found_error"}}`.
 */
import { sendJson, type NotFoundHandler, type Routes } from './loopback.ts';

/** The model a llama-server was started with. */
export interface LlamaCppModel {
  /** `-m`: the GGUF file. */
  path: string;
  /** `--alias`, which replaces the path as the listed id. */
  alias?: string;
  /** One slot's context, `default_generation_settings.n_ctx`. */
  nCtx: number;
  /** The trained length, `meta.n_ctx_train`. */
  nCtxTrain: number;
  /** The Jinja template from the GGUF (or `--chat-template`). */
  chatTemplate?: string;
  /** `--parallel`, `total_slots`. */
  slots?: number;
}

/** Routes for llama-server's model listing and `/props`. */
export function llamaCppListing(model: LlamaCppModel): Routes {
  const id = model.alias ?? model.path;
  const list = {
    models: [{ name: id, model: id, modified_at: '', size: '', digest: '', type: 'model', description: '', tags: [''], capabilities: ['completion'], parameters: '', details: { parent_model: '', format: 'gguf', family: '', families: [''], parameter_size: '', quantization_level: '' } }],
    object: 'list',
    data: [{ id, object: 'model', created: 1754035200, owned_by: 'llamacpp', meta: { vocab_type: 2, n_vocab: 151936, n_ctx_train: model.nCtxTrain, n_embd: 3584, n_params: 7615616512, size: 4677120000 } }],
  };
  return {
    'GET /v1/models': ({ res }) => sendJson(res, 200, list),
    'GET /models': ({ res }) => sendJson(res, 200, list),
    'GET /props': ({ res }) =>
      sendJson(res, 200, {
        default_generation_settings: { n_ctx: model.nCtx, params: { n_predict: -1, temperature: 0.8, top_k: 40, top_p: 0.95 } },
        total_slots: model.slots ?? 1,
        model_path: model.path,
        modalities: { vision: false, audio: false },
        chat_template: model.chatTemplate ?? '',
        bos_token: '<|begin▁of▁sentence|>',
        eos_token: '<|end▁of▁sentence|>',
        build_info: 'b6123-0123abcd',
      }),
    'GET /health': ({ res }) => sendJson(res, 200, { status: 'ok' }),
  };
}

/** llama-server's 404 body. */
export const llamaCppNotFound: NotFoundHandler = ({ res }) => {
  sendJson(res, 404, { error: { code: 404, message: 'File Not Found', type: 'not_found_error' } });
};
