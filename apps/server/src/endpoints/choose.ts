/**
 * Which model answers as A and which as B: one rule for `duet run` and `duet serve`,
 * as a pure function of what discovery found.
 *
 * - An id asked for is taken when the server lists it; an Ollama id without a tag
 *   matches `ID:latest`, and the listed name is used. An id that is not listed is
 *   refused with the ids that are, except where the server lists nothing at all (then
 *   any id goes: some servers serve models they do not list). An embedding model asked
 *   for is refused: it cannot chat.
 * - Otherwise a slot takes its server's first usable model: never an embedding model,
 *   and a loaded one before one that is not, where the server says which are loaded.
 * - When A and B share a server, they get different models whenever two usable ones
 *   exist; with two servers, each slot takes its own server's first.
 * - The context window is the slot's flag (`--context-a`/`--context-b`), else what the
 *   server said, else the controller's default of 4096 tokens, which is also what
 *   LM Studio loads a model with unless told otherwise (never more than the most the
 *   server allows for that model).
 */
import { DEFAULT_CONTEXT_WINDOW, type ModelEndpoint } from '../controller/index.ts';
import { displayUrl } from '../llm/errors.ts';
import type { ModelSlot } from '../protocol/index.ts';
import { idStartsInReasoning } from './reasoning.ts';
import type { EndpointInfo, ModelInfo } from './types.ts';

/** One slot's part of the choice. */
export interface SlotRequest {
  /** The slot's base URL, normalised (no trailing slash): slots with equal URLs share a server. */
  baseUrl: string;
  /** The id asked for, if any. */
  wanted?: string | undefined;
  /** What discovery found at `baseUrl`. */
  info: EndpointInfo;
  /** `--context-a`/`--context-b`, in tokens. */
  contextFlag?: number | undefined;
  /** Copied onto the endpoint. */
  apiKey?: string | undefined;
  /** Copied onto the endpoint (`demo` for the built-in models). */
  label?: string | undefined;
}

/** Both slots. */
export interface ChoiceInput {
  A: SlotRequest;
  B: SlotRequest;
}

/** Why a slot got no model. */
export type ChoiceProblemReason =
  /** The id asked for is not among those the server lists. */
  | 'not-listed'
  /** The id asked for is an embedding model. */
  | 'embedding'
  /** The server lists no models at all. */
  | 'no-models'
  /** The server lists only embedding models. */
  | 'no-chat-models';

/** A slot that got no model, with a message that says why and what the server has (the caller adds how to fix it). */
export interface ChoiceProblem {
  slot: ModelSlot;
  reason: ChoiceProblemReason;
  baseUrl: string;
  /** The id asked for, as asked. */
  wanted?: string;
  /** The listed id that was refused (for `embedding`: `wanted` or its `:latest` form). */
  model?: string;
  /** The ids that would have been accepted, in the order they would be picked. */
  usable: string[];
  message: string;
}

/** Both endpoints, or the first slot's problem. */
export type Choice = { ok: true; models: { A: ModelEndpoint; B: ModelEndpoint } } | { ok: false; problem: ChoiceProblem };

/** The models a slot may pick by default, in the order it picks them: chat-capable ones, loaded first, else in the server's order. */
export function usableModels(info: EndpointInfo): ModelInfo[] {
  const usable = info.models.filter((m) => m.type !== 'embedding');
  return [...usable.filter((m) => m.loaded === true), ...usable.filter((m) => m.loaded !== true)];
}

/** Picks A and B by the rule above. Pure: the same input always gives the same choice. */
export function chooseModels(input: ChoiceInput): Choice {
  const shared = input.A.baseUrl === input.B.baseUrl;
  const asked = { A: matchWanted('A', input.A), B: matchWanted('B', input.B) };
  for (const slot of ['A', 'B'] as const) {
    const got = asked[slot];
    if (got !== undefined && 'problem' in got) return { ok: false, problem: got.problem };
  }
  const explicit = (slot: ModelSlot): Picked | undefined => {
    const got = asked[slot];
    return got !== undefined && !('problem' in got) ? got : undefined;
  };
  const a = explicit('A') ?? pickDefault('A', input.A, shared ? explicit('B')?.id : undefined);
  if ('problem' in a) return { ok: false, problem: a.problem };
  const b = explicit('B') ?? pickDefault('B', input.B, shared ? a.id : undefined);
  if ('problem' in b) return { ok: false, problem: b.problem };
  return { ok: true, models: { A: endpoint(input.A, a), B: endpoint(input.B, b) } };
}

/** A chosen id, and what discovery knows of it (nothing when the server lists no models). */
interface Picked {
  id: string;
  model: ModelInfo | undefined;
}

type Outcome = Picked | { problem: ChoiceProblem };

function matchWanted(slot: ModelSlot, req: SlotRequest): Outcome | undefined {
  const wanted = req.wanted;
  if (wanted === undefined) return undefined;
  const models = req.info.models;
  if (models.length === 0) return { id: wanted, model: undefined };
  // Ollama serves `llama3.2` as `llama3.2:latest`; the listed name is the one to send.
  const model = models.find((m) => m.id === wanted) ?? (wanted.includes(':') ? undefined : models.find((m) => m.id === `${wanted}:latest`));
  const usable = usableModels(req.info).map((m) => m.id);
  const url = displayUrl(req.baseUrl);
  if (model === undefined) {
    const message =
      req.info.kind === 'demo'
        ? `Model ${slot} "${wanted}" is not a demo model; the demo models are ${usable.join(', ')}.`
        : usable.length > 0
          ? `Model ${slot} "${wanted}" is not served at ${url}. It lists: ${usable.join(', ')}.`
          : `Model ${slot} "${wanted}" is not served at ${url}, which lists only embedding models (${models.map((m) => m.id).join(', ')}).`;
    return { problem: { slot, reason: 'not-listed', baseUrl: req.baseUrl, wanted, usable, message } };
  }
  if (model.type === 'embedding') {
    const others = usable.length > 0 ? ` Chat models there: ${usable.join(', ')}.` : '';
    const message = `Model ${slot} "${model.id}" at ${url} is an embedding model: it turns text into vectors and cannot chat.${others}`;
    return { problem: { slot, reason: 'embedding', baseUrl: req.baseUrl, wanted, model: model.id, usable, message } };
  }
  return { id: model.id, model };
}

function pickDefault(slot: ModelSlot, req: SlotRequest, avoid: string | undefined): Outcome {
  const url = displayUrl(req.baseUrl);
  if (req.info.models.length === 0) {
    return { problem: { slot, reason: 'no-models', baseUrl: req.baseUrl, usable: [], message: `The model server at ${url} lists no models.` } };
  }
  const usable = usableModels(req.info);
  const first = usable.find((m) => m.id !== avoid) ?? usable[0];
  if (first === undefined) {
    const ids = req.info.models.map((m) => m.id).join(', ');
    return { problem: { slot, reason: 'no-chat-models', baseUrl: req.baseUrl, usable: [], message: `The model server at ${url} lists only embedding models (${ids}), which cannot chat.` } };
  }
  return { id: first.id, model: first };
}

function endpoint(req: SlotRequest, picked: Picked): ModelEndpoint {
  return {
    id: picked.id,
    baseUrl: req.baseUrl,
    ...(req.apiKey !== undefined ? { apiKey: req.apiKey } : {}),
    ...(req.label !== undefined ? { label: req.label } : {}),
    context: contextFor(req.contextFlag, picked.model),
    server: req.info.kind,
    startsInReasoning: picked.model?.startsInReasoning ?? idStartsInReasoning(picked.id),
  };
}

/** The flag, else the server's figure, else the default capped by the most the server allows. */
function contextFor(flag: number | undefined, model: ModelInfo | undefined): NonNullable<ModelEndpoint['context']> {
  if (flag !== undefined) return { window: flag, source: 'flag' };
  if (model?.contextWindow != null) return { window: model.contextWindow, source: 'server' };
  return { window: Math.min(DEFAULT_CONTEXT_WINDOW, model?.contextLimit ?? DEFAULT_CONTEXT_WINDOW), source: 'default' };
}
