/**
 * Asks one model for one answer, recovering from the two refusals a local server
 * gives before it has streamed anything: a context overflow (one retry, planned
 * tighter, with the server's own count where it gave one) and a chat template that
 * rejects the `system` role (one retry with the rules in the first user message,
 * remembered for that model).
 */
import { ModelError, type ChatDelta, type StreamChatOptions } from '../llm/index.ts';
import type { RequestPlan } from './context-budget.ts';
import type { ModelTraits } from './model-memory.ts';
import type { ModelEndpoint } from './types.ts';

/** How much of the window a retry after an overflow plans for. */
export const OVERFLOW_TIGHTNESS = 0.6;

export interface AnswerRequest {
  chat: (opts: StreamChatOptions) => AsyncIterable<ChatDelta>;
  model: ModelEndpoint;
  traits: ModelTraits;
  /** Plans the request; called again, tighter, for a retry. */
  plan: (opts: { tightness: number; window?: number }) => RequestPlan;
  /** Called with each plan just before it is sent. */
  onSend: (plan: RequestPlan) => void;
  /** Called when a refused request is sent again, with what the user should know. */
  onRetry: (message: string) => void;
  signal: AbortSignal;
  idleTimeoutMs?: number;
  firstTokenTimeoutMs?: number;
}

/** The answer's deltas; throws the last {@link ModelError} when recovery is not possible. */
export async function* requestAnswer(req: AnswerRequest): AsyncGenerator<ChatDelta, void, undefined> {
  let tightness = 1;
  let window: number | undefined;
  let overflowRetried = false;
  let systemRetried = false;
  for (;;) {
    const plan = req.plan({ tightness, ...(window !== undefined ? { window } : {}) });
    req.onSend(plan);
    let answered = false;
    try {
      for await (const delta of req.chat({
        baseUrl: req.model.baseUrl,
        model: req.model.id,
        messages: plan.messages,
        maxTokens: plan.maxTokens,
        signal: req.signal,
        ...(req.model.apiKey ? { apiKey: req.model.apiKey } : {}),
        ...(req.idleTimeoutMs !== undefined ? { idleTimeoutMs: req.idleTimeoutMs } : {}),
        ...(req.firstTokenTimeoutMs !== undefined ? { firstTokenTimeoutMs: req.firstTokenTimeoutMs } : {}),
      })) {
        if (delta.type !== 'loading') answered = true;
        yield delta;
      }
      return;
    } catch (err) {
      if (answered || !(err instanceof ModelError)) throw err;
      if (err.kind === 'context-overflow' && !overflowRetried) {
        overflowRetried = true;
        if (err.promptTokens !== undefined) req.traits.estimator.learnOverflow(plan.messages, err.promptTokens);
        if (err.contextWindow !== undefined && err.contextWindow < (req.traits.window ?? req.model.context?.window ?? Infinity)) {
          window = err.contextWindow;
          // Kept for the model's later requests, so each one does not overflow and retry again.
          req.traits.window = err.contextWindow;
        }
        tightness = OVERFLOW_TIGHTNESS;
        req.onRetry(`The server said the request to ${req.model.id} did not fit its context window; Duet sent it again with older turns folded.`);
        continue;
      }
      if (err.kind === 'system-role' && !systemRetried && !req.traits.foldSystem) {
        systemRetried = true;
        req.traits.foldSystem = true;
        req.onRetry(`The chat template of ${req.model.id} refuses a system message; Duet puts its rules in the first user message for this model from now on.`);
        continue;
      }
      throw err;
    }
  }
}
