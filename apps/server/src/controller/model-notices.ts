/**
 * What a user should hear about the models of a run before it starts — how their
 * servers will behave — each said once per model for the life of the process, and
 * the user's instructions fitted to the model's window.
 */
import { cutToBudget } from './feedback.ts';
import { DEFAULT_CONTEXT_WINDOW } from './context-budget.ts';
import type { ModelMemory } from './model-memory.ts';
import { INITIAL_CHARS_PER_TOKEN } from './token-estimator.ts';
import type { ModelEndpoint } from './types.ts';

/** The share of a model's window its user's instructions may take: they travel in every request. */
const INSTRUCTIONS_SHARE = 0.2;

/** The notices not yet given about these models; marks them given. */
export function modelNotices(models: { A: ModelEndpoint; B: ModelEndpoint }, memory: ModelMemory): string[] {
  const notices: string[] = [];
  const once = (model: ModelEndpoint, key: string, text: string): void => {
    const said = memory.of(model).said;
    if (said.has(key)) return;
    said.add(key);
    notices.push(text);
  };
  const { A, B } = models;
  if ((A.server === 'lmstudio' || B.server === 'lmstudio') && A.baseUrl === B.baseUrl && A.id !== B.id) {
    once(
      A,
      `auto-evict:${B.id}`,
      'A and B are two models on one LM Studio server: with just-in-time loading and auto-evict (both on by default), LM Studio may unload one to load the other on every turn. Load both models in LM Studio first, or turn off auto-evict in its Developer settings, to avoid a reload each turn.',
    );
  }
  for (const m of [A, B]) {
    if (m.server !== 'ollama') continue;
    once(
      m,
      'ollama-context',
      `Ollama answers /v1 requests for ${m.id} with a context of ${m.context?.window ?? DEFAULT_CONTEXT_WINDOW} tokens, whatever the model supports, and silently drops the oldest messages past it; Duet keeps each request within that. To give it more, set OLLAMA_CONTEXT_LENGTH where Ollama runs (or num_ctx in a Modelfile), restart it, and tell Duet the new size.`,
    );
  }
  return notices;
}

/** The user's instructions within a fifth of a `window`-token context; `cut` when their middle had to go. */
export function fitInstructions(instructions: string | undefined, window: number): { text: string | undefined; cut: boolean } {
  const text = instructions?.trim();
  if (!text) return { text: undefined, cut: false };
  const chars = Math.floor(window * INSTRUCTIONS_SHARE * INITIAL_CHARS_PER_TOKEN);
  return text.length <= chars ? { text, cut: false } : { text: cutToBudget(text, chars), cut: true };
}
