/**
 * What Duet learns about a model while talking to it, kept for the life of the
 * process: its tokens per character, whether its chat template refuses the
 * `system` role, whether its answers start inside reasoning. One run's lesson
 * spares the next run the same failed request.
 */
import { TokenEstimator } from './token-estimator.ts';
import type { ModelEndpoint } from './types.ts';

/** One model's lessons. */
export interface ModelTraits {
  readonly estimator: TokenEstimator;
  /** The template answered 400 to a `system` message: rules go in the first user message. */
  foldSystem: boolean;
  /** A bare `</think>` arrived: the template opens reasoning in the prompt. */
  startsInReasoning: boolean;
  /** A smaller window the server reported in an overflow than the one Duet was told. */
  window?: number;
  /** Reasoning arrived from this model: it gets more room for its answers. */
  reasons: boolean;
  /** Notices already given about this model (by key), so each is said once. */
  readonly said: Set<string>;
}

export class ModelMemory {
  readonly #traits = new Map<string, ModelTraits>();

  /** The traits of a model, created on first use. */
  of(model: Pick<ModelEndpoint, 'id' | 'baseUrl' | 'startsInReasoning'>): ModelTraits {
    const key = `${model.baseUrl}\u0000${model.id}`;
    let traits = this.#traits.get(key);
    if (!traits) {
      traits = { estimator: new TokenEstimator(), foldSystem: false, startsInReasoning: model.startsInReasoning === true, reasons: model.startsInReasoning === true, said: new Set() };
      this.#traits.set(key, traits);
    }
    return traits;
  }
}

/** The memory every controller of this process shares unless given its own. */
export const processModelMemory = new ModelMemory();
