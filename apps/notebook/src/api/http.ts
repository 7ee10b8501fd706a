/**
 * The server's HTTP API, typed. Same-origin requests carry the access cookie the
 * server set when the page was opened with `?token=`.
 */

import type { Health, ModelEndpointInfo, ModelList, NotebookListEntry } from '@duet/server/protocol';

export type { Health, ModelList };
export type ModelEndpoint = ModelEndpointInfo;
export type NotebookEntry = NotebookListEntry;

/** An HTTP call that failed, with the server's own explanation when it gave one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The `{error}` of a JSON error body, or null when the body is not one. */
function serverError(text: string): string | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'error' in parsed && typeof parsed.error === 'string') return parsed.error;
  } catch {
    // Not JSON.
  }
  return null;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('Cannot reach the Duet server. Is `duet serve` still running?', 0);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = serverError(text) ?? `${method} ${path} failed with HTTP ${response.status}`;
    if (response.status === 401 || response.status === 403) {
      message += ' — open the link `duet serve` printed (it carries the access token).';
    }
    throw new ApiError(message, response.status);
  }
  return (text.length > 0 ? JSON.parse(text) : undefined) as T;
}

const notebookPath = (name: string): string => `/api/notebooks/${encodeURIComponent(name)}`;

/** Versions, sandbox mode and whether the model server answers. */
export const getHealth = (): Promise<Health> => request('GET', '/api/health');
/** Models each endpoint lists, plus the built-in demo models. */
export const getModels = (): Promise<ModelList> => request('GET', '/api/models');
/** Every notebook in the server's folder. */
export const listNotebooks = (): Promise<NotebookEntry[]> => request('GET', '/api/notebooks');
/** Creates a notebook; the server picks a name when none is given. */
export const createNotebook = (name?: string): Promise<{ name: string }> =>
  request('POST', '/api/notebooks', name === undefined ? {} : { name });
/** The notebook as `.ipynb` JSON. */
export const fetchNotebookFile = (name: string): Promise<unknown> => request('GET', notebookPath(name));
/** Imports (or replaces) a notebook from `.ipynb` JSON. */
export const putNotebookFile = (name: string, ipynb: unknown): Promise<unknown> =>
  request('PUT', notebookPath(name), ipynb);
/**
 * Asks for a notebook only to learn whether it can be opened: the HTTP status
 * (0 when the server cannot be reached) and the server's explanation, if any.
 */
export async function notebookStatus(name: string): Promise<{ status: number; error: string | null }> {
  try {
    const response = await fetch(notebookPath(name), { credentials: 'same-origin' });
    if (response.ok) {
      // Only the status was wanted; the notebook itself may be large.
      void response.body?.cancel().catch(() => undefined);
      return { status: response.status, error: null };
    }
    return { status: response.status, error: serverError(await response.text()) };
  } catch {
    return { status: 0, error: null };
  }
}
/** Deletes a notebook. */
export const deleteNotebook = (name: string): Promise<unknown> => request('DELETE', notebookPath(name));
/** Renames a notebook. */
export const renameNotebook = (name: string, newName: string): Promise<unknown> =>
  request('PATCH', notebookPath(name), { name: newName });

/** The WebSocket address of a notebook, on this page's host. */
export function notebookSocketUrl(name: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${notebookPath(name)}/ws`;
}
