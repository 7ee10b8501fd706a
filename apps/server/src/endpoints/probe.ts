/**
 * The extra requests discovery makes beside `GET /models`. Every one is optional:
 * a refused connection, a 404, a timeout or a body that is not JSON all come back
 * as `undefined`, never as an error, because a server that lacks an endpoint is
 * simply not the server that has it.
 */

/** Where a probe goes and with what. */
export interface ProbeTarget {
  /** The server's origin: the base URL without its trailing `/v1`. */
  origin: string;
  apiKey?: string | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs: number;
}

/** The parsed JSON body of a 2xx answer to `GET` (or `POST` with `body`) at `path`, else `undefined`. */
export async function probeJson(target: ProbeTarget, path: string, body?: unknown): Promise<unknown> {
  const timeout = AbortSignal.timeout(target.timeoutMs);
  const signal = target.signal ? AbortSignal.any([target.signal, timeout]) : timeout;
  const headers: Record<string, string> = { Accept: 'application/json' };
  // LM Studio and vLLM check the key on their own endpoints as on /v1.
  if (target.apiKey !== undefined) headers.Authorization = `Bearer ${target.apiKey}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    const res = await fetch(`${target.origin}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      signal,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) {
      await res.body?.cancel();
      return undefined;
    }
    return JSON.parse(await res.text()) as unknown;
  } catch {
    return undefined;
  }
}

/** The server's origin for its own (non-OpenAI) endpoints: the base URL without a trailing `/v1` or slash. */
export function serverOrigin(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}
