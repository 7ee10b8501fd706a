/**
 * A loopback HTTP server built from a table of routes, recording every request.
 * The fakes of real model servers (LM Studio, Ollama, llama.cpp, vLLM) are route
 * tables composed on it, so each speaks its own server's exact wire format.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body, or `undefined` when there was none or it was not JSON. */
  body: unknown;
  /** Set when the client went away before the response ended. */
  clientClosed: boolean;
  /** Settles when the connection for this request closed, whoever closed it. */
  closed: Promise<void>;
}

/** What a route gets: the request (body already read) and the response to write. */
export interface RouteContext {
  req: RecordedRequest;
  res: ServerResponse;
  /** Aborted when the client closes the connection or the server shuts down. */
  signal: AbortSignal;
}

/** Answers one request; may be async. */
export type RouteHandler = (ctx: RouteContext) => void | Promise<void>;

/** Routes keyed `"METHOD /path"`; a key ending in `/*` matches every path below it. */
export type Routes = Record<string, RouteHandler>;

/** How an unknown path is answered, since each real server has its own 404 body. */
export type NotFoundHandler = (ctx: RouteContext) => void;

export interface LoopbackServerOptions {
  routes: Routes;
  notFound?: NotFoundHandler;
}

/** A started fake: its root URL, the requests it saw, and `close`. */
export class LoopbackServer {
  /** `http://127.0.0.1:PORT` with no trailing slash; add `/v1` for the OpenAI root. */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  readonly #server: Server;

  private constructor(server: Server, origin: string, requests: RecordedRequest[]) {
    this.#server = server;
    this.origin = origin;
    this.requests = requests;
  }

  static async start(opts: LoopbackServerOptions): Promise<LoopbackServer> {
    const requests: RecordedRequest[] = [];
    const server = createServer((req, res) => void serve(req, res, opts, requests));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return new LoopbackServer(server, `http://127.0.0.1:${port}`, requests);
  }

  /** The requests to one method and path, in arrival order. */
  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  /** Chat completion requests (`POST /v1/chat/completions`). */
  get chatRequests(): RecordedRequest[] {
    return this.requestsTo('POST', '/v1/chat/completions');
  }

  /** Stops listening and cuts every open connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}

async function serve(req: IncomingMessage, res: ServerResponse, opts: LoopbackServerOptions, requests: RecordedRequest[]): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const abort = new AbortController();
  let markClosed!: () => void;
  const record: RecordedRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body: undefined,
    clientClosed: false,
    closed: new Promise<void>((resolve) => (markClosed = resolve)),
  };
  res.on('close', () => {
    record.clientClosed = !res.writableFinished;
    abort.abort();
    markClosed();
  });
  record.body = await readBody(req);
  requests.push(record);
  const ctx: RouteContext = { req: record, res, signal: abort.signal };
  const handler = findRoute(opts.routes, record.method, record.path);
  try {
    if (handler) await handler(ctx);
    else if (opts.notFound) opts.notFound(ctx);
    else sendJson(res, 404, { error: `no route for ${record.method} ${record.path}` });
  } catch (error) {
    if (!res.headersSent) sendJson(res, 500, { error: String(error) });
    else res.destroy();
  }
}

function findRoute(routes: Routes, method: string, path: string): RouteHandler | undefined {
  const exact = routes[`${method} ${path}`];
  if (exact) return exact;
  for (const [key, handler] of Object.entries(routes)) {
    if (!key.endsWith('/*')) continue;
    const prefix = key.slice(0, -1);
    if (`${method} ${path}`.startsWith(prefix)) return handler;
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  if (chunks.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A JSON answer with an exact body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Starts an SSE response; the caller writes the exact lines its server sends. */
export function startEventStream(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
}

/** Resolves when `signal` aborts (the client left), or at once if it has. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Starts a fake from routes; closes it when the current test finishes. */
export async function startLoopback(opts: LoopbackServerOptions, onFinished: (fn: () => Promise<void>) => void): Promise<LoopbackServer> {
  const server = await LoopbackServer.start(opts);
  onFinished(() => server.close());
  return server;
}
