/** The scoreboard's part of the HTTP API: the eval folders the server found, and each one's results. */
import type { EvalListEntry, EvalReport } from '@duet/server/protocol';
import { ApiError } from './http.ts';

export type { EvalListEntry, EvalReport };

async function getJson<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: 'same-origin' });
  } catch {
    throw new ApiError('Cannot reach the Duet server. Is `duet serve` still running?', 0);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = `GET ${path} failed with HTTP ${response.status}`;
    try {
      const body: unknown = JSON.parse(text);
      if (typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string') message = body.error;
    } catch {
      // Not JSON: the status says it.
    }
    throw new ApiError(message, response.status);
  }
  return JSON.parse(text) as T;
}

const evalPath = (name: string): string => `/api/evals/${encodeURIComponent(name)}`;

/** Every eval folder the server found. */
export const listEvals = (): Promise<EvalListEntry[]> => getJson('/api/evals');
/** One eval's scoreboard, from its results as they are now. */
export const getEval = (name: string): Promise<EvalReport> => getJson(evalPath(name));
/** A task's notebook as `.ipynb` JSON, by the path the scoreboard gives. */
export const getEvalNotebook = (name: string, notebook: string): Promise<unknown> => getJson(`${evalPath(name)}/notebook?path=${encodeURIComponent(notebook)}`);
