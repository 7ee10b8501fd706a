/**
 * Which model answers as A and which as B for `duet run`, and where each lives, by
 * the rule `duet serve` uses too (`chooseModels` in endpoints/choose.ts): an id given
 * must be listed; otherwise each slot takes its server's first usable chat model,
 * loaded ones first, A and B different where a shared server has two.
 */
import type { ModelEndpoint } from '../controller/types.ts';
import { DEMO_MODELS } from '../demo/index.ts';
import { demoEndpointInfo, pickModels, type Choice, type ChoiceProblem, type PickSlot } from '../endpoints/index.ts';
import { ModelError } from '../llm/index.ts';
import { ConfigError, type DuetConfig } from './config.ts';

export interface ResolvedModels {
  A: ModelEndpoint;
  B: ModelEndpoint;
}

/** The base URL keyword that selects Duet's built-in demo models. */
export const DEMO_KEYWORD = 'demo';

/**
 * Checks both endpoints and picks the ids. `demoBaseUrl` is where the demo
 * models listen when a base URL is `demo`. A server that is still loading its model
 * is waited for up to `firstTokenTimeout` seconds. Throws {@link ConfigError} with
 * what to check when a server cannot be reached or lacks the model asked for.
 */
export async function resolveModels(
  config: Pick<DuetConfig, 'baseUrl' | 'baseUrlA' | 'baseUrlB' | 'modelA' | 'modelB' | 'apiKey' | 'contextA' | 'contextB'> & Partial<Pick<DuetConfig, 'firstTokenTimeout'>>,
  demoBaseUrl?: string,
  signal?: AbortSignal,
): Promise<ResolvedModels> {
  const slot = (baseUrl: string | undefined, wanted: string | undefined, contextFlag: number | undefined): PickSlot => {
    const url = baseUrl ?? config.baseUrl;
    if (url === DEMO_KEYWORD) {
      if (!demoBaseUrl) throw new ConfigError('The demo models were asked for, but the demo server is not running.');
      return { baseUrl: demoBaseUrl, wanted, contextFlag, label: DEMO_KEYWORD, known: demoEndpointInfo(DEMO_MODELS) };
    }
    return { baseUrl: url.replace(/\/+$/, ''), wanted, contextFlag, apiKey: config.apiKey };
  };
  const A = slot(config.baseUrlA, config.modelA, config.contextA);
  const B = slot(config.baseUrlB, config.modelB, config.contextB);
  let choice: Choice;
  try {
    // A server still loading its model is waited for as long as a first token would be.
    const loading = config.firstTokenTimeout === undefined ? {} : { loadingTimeoutMs: config.firstTokenTimeout * 1000 };
    choice = await pickModels({ A, B }, { ...loading, ...(signal === undefined ? {} : { signal }) });
  } catch (err) {
    if (err instanceof ModelError) throw new ConfigError(err.message);
    throw err;
  }
  if (!choice.ok) throw new ConfigError(withAdvice(choice.problem));
  return choice.models;
}

/** The problem's message and what to do about it on the command line. */
function withAdvice(problem: ChoiceProblem): string {
  const flag = `--model-${problem.slot.toLowerCase()}`;
  switch (problem.reason) {
    case 'not-listed':
      return problem.usable.length > 0 ? `${problem.message} Pass one of these with ${flag}.` : `${problem.message} Load a chat model there.`;
    case 'embedding':
      return `${problem.message} Pass a chat model with ${flag}.`;
    case 'no-models':
      return `${problem.message} Load a model (in LM Studio: the Developer tab) or pass ${flag}.`;
    case 'no-chat-models':
      return `${problem.message} Load or download a chat model there (in LM Studio: the Developer tab).`;
  }
}
