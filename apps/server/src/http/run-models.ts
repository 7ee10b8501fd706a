/**
 * Which endpoint answers as A and B for one run. A model id of `demo-a` or
 * `demo-b`, or a base URL of `demo`, means the demo models this server serves
 * itself; everything else goes to the configured OpenAI-compatible server, picked
 * by the rule `duet run` uses too (`chooseModels` in endpoints/choose.ts).
 */
import type { DuetConfig } from '../config/index.ts';
import type { ModelEndpoint } from '../controller/index.ts';
import { demoEndpointInfo, pickModels, type Choice, type ChoiceProblem, type PickSlot } from '../endpoints/index.ts';
import { ModelError, displayUrl } from '../llm/index.ts';
import type { ModelSlot } from '../protocol/index.ts';
import { HttpError } from './errors.ts';

/** The base URL keyword for the demo models (as on the command line). */
export const DEMO_BASE_URL_KEYWORD = 'demo';

export interface ModelContext {
  config: Pick<DuetConfig, 'baseUrl' | 'baseUrlA' | 'baseUrlB' | 'modelA' | 'modelB' | 'apiKey' | 'contextA' | 'contextB'>;
  demoModels: readonly string[];
  /** Where this server serves the demo models: `http://127.0.0.1:PORT/demo/v1`. */
  demoBaseUrl: string;
  /** The access token, sent as the demo endpoint's API key: it is behind the same door as the rest. */
  demoApiKey: string;
}

/** The configured base URL of a slot, with `demo` resolved and no trailing slash. */
export function slotBaseUrl(ctx: ModelContext, slot: ModelSlot): string {
  const raw = (slot === 'A' ? ctx.config.baseUrlA : ctx.config.baseUrlB) ?? ctx.config.baseUrl;
  return raw === DEMO_BASE_URL_KEYWORD ? ctx.demoBaseUrl : raw.replace(/\/+$/, '');
}

/** Both endpoints of a run; a 400 (the ids asked for) or 502 (the servers) that says what to change when that is impossible. */
export async function resolveRunModels(ctx: ModelContext, wanted: { modelA?: string | undefined; modelB?: string | undefined }, signal?: AbortSignal): Promise<{ A: ModelEndpoint; B: ModelEndpoint }> {
  const demoList = ctx.demoModels.join(', ');
  const slot = (s: ModelSlot): PickSlot => {
    const id = (s === 'A' ? wanted.modelA : wanted.modelB) ?? (s === 'A' ? ctx.config.modelA : ctx.config.modelB);
    const contextFlag = s === 'A' ? ctx.config.contextA : ctx.config.contextB;
    // A demo id picks the demo models whatever the slot's base URL is.
    const url = id !== undefined && ctx.demoModels.includes(id) ? ctx.demoBaseUrl : slotBaseUrl(ctx, s);
    if (url === ctx.demoBaseUrl) {
      return { baseUrl: url, wanted: id, contextFlag, apiKey: ctx.demoApiKey, label: DEMO_BASE_URL_KEYWORD, known: demoEndpointInfo(ctx.demoModels) };
    }
    return { baseUrl: url, wanted: id, contextFlag, apiKey: ctx.config.apiKey };
  };
  let choice: Choice;
  try {
    // Asked once, not waited out while a server loads its model: the run's request waits on
    // this, and nothing in the page could show or stop that wait; the answer says it is loading.
    choice = await pickModels({ A: slot('A'), B: slot('B') }, signal === undefined ? {} : { signal });
  } catch (err) {
    const urls = [...new Set([slotBaseUrl(ctx, 'A'), slotBaseUrl(ctx, 'B')])].map(displayUrl).join(' and ');
    const message = err instanceof ModelError ? err.phraseFor('browser') : `Could not list the models at ${urls}.`;
    throw new HttpError(502, `${message} To try Duet without a model server, pick the demo models (${demoList}).`);
  }
  if (!choice.ok) throw refusal(choice.problem, ctx.demoBaseUrl, demoList);
  return choice.models;
}

/** The problem as the browser shows it: the ids asked for are the request's fault (400), an unusable server is not (502). */
function refusal(problem: ChoiceProblem, demoBaseUrl: string, demoList: string): HttpError {
  switch (problem.reason) {
    case 'not-listed':
    case 'embedding':
      return new HttpError(400, problem.baseUrl === demoBaseUrl ? problem.message : `${problem.message} Pick another model, or the demo models (${demoList}).`);
    case 'no-models':
      return new HttpError(502, `${problem.message} Load a model there, or pick the demo models (${demoList}).`);
    case 'no-chat-models':
      return new HttpError(502, `${problem.message} Load a chat model there, or pick the demo models (${demoList}).`);
  }
}
