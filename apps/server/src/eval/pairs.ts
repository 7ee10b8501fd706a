/**
 * `--pair A,B`: the two models of one contestant, each an id as `--model-a` takes
 * it, or `URL#id` for a model on its own server. `X,X` pairs a model with itself,
 * the single-model baseline.
 */
import type { RunMode } from '../controller/types.ts';

/** One side of a pair. */
export interface ModelSpec {
  id: string;
  /** The model's own server, when given as `URL#id`; else the usual base URL flags decide. */
  baseUrl?: string;
}

/** A pair as written on the command line. */
export interface PairSpec {
  /** As given, which is how results name it. */
  text: string;
  A: ModelSpec;
  B: ModelSpec;
}

/** Why a `--pair` value cannot be used, in words for the command line. */
export class PairSpecError extends Error {
  override readonly name = 'PairSpecError';
}

/** Parses `A,B`, where each side is `id` or `URL#id`. */
export function parsePair(text: string): PairSpec {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 2 || parts.some((p) => p === '')) {
    throw new PairSpecError(`--pair takes two model ids separated by a comma, like qwen2.5-coder-7b,llama-3.1-8b (or X,X for one model alone); got "${text}".`);
  }
  const [a, b] = parts as [string, string];
  return { text: parts.join(','), A: modelSpec(a, text), B: modelSpec(b, text) };
}

function modelSpec(part: string, whole: string): ModelSpec {
  const hash = part.lastIndexOf('#');
  if (hash < 0) return { id: part };
  const baseUrl = part.slice(0, hash).trim();
  const id = part.slice(hash + 1).trim();
  if (baseUrl === '' || id === '') throw new PairSpecError(`In --pair "${whole}", "${part}" should be URL#model, like http://localhost:11434/v1#llama3.2.`);
  return { id, baseUrl };
}

/** How results and reports name a pair in a mode: the pair as written, with `@mode` unless it is relay. */
export function contestantId(pair: string, mode: RunMode): string {
  return mode === 'relay' ? pair : `${pair}@${mode}`;
}
