import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScriptedExchange } from './exchange.ts';
import { sendJson } from './answer-writer.ts';
import { createModelHandler } from './model-handler.ts';
import type { Script, ScriptedRequest } from './script.ts';

/** How to start a {@link ScriptedModelServer}. */
export interface ScriptedModelServerOptions {
  models: readonly string[];
  script: Script;
  /** Default `127.0.0.1`; the port is always an ephemeral one. */
  host?: string;
}

/**
 * A standalone OpenAI-compatible server answering from a script, serving under `/v1`
 * like the real ones (so a base URL without `/v1` gets 404s). It records every chat
 * request and whether the client hung up before the answer was done.
 */
export class ScriptedModelServer {
  /** The base URL to give a client: `http://127.0.0.1:PORT/v1`. */
  readonly baseUrl: string;
  /** Every chat request that reached the script, in arrival order. */
  readonly exchanges: ScriptedExchange[];
  readonly #server: Server;
  #waiters: (() => void)[] = [];

  private constructor(server: Server, baseUrl: string, exchanges: ScriptedExchange[]) {
    this.#server = server;
    this.baseUrl = baseUrl;
    this.exchanges = exchanges;
  }

  /** Starts listening on an ephemeral port. */
  static async start(opts: ScriptedModelServerOptions): Promise<ScriptedModelServer> {
    const exchanges: ScriptedExchange[] = [];
    let instance: ScriptedModelServer | undefined;
    const handler = createModelHandler({
      models: opts.models,
      script: opts.script,
      onRequest: (exchange) => {
        exchanges.push(exchange);
        void exchange.closed.then(() => instance?.notifyIfIdle());
      },
    });
    const server = createServer((req, res) => {
      const url = req.url ?? '/';
      if (url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?')) {
        req.url = url.slice('/v1'.length) || '/';
        handler(req, res);
      } else {
        sendJson(res, 404, { error: `Unexpected endpoint or method. (${req.method ?? 'GET'} ${url.split('?')[0] ?? url})` });
      }
    });
    const host = opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const hostPart = host.includes(':') ? `[${host}]` : host;
    instance = new ScriptedModelServer(server, `http://${hostPart}:${port}/v1`, exchanges);
    return instance;
  }

  /** The chat requests received so far. */
  get requests(): ScriptedRequest[] {
    return this.exchanges.map((exchange) => exchange.request);
  }

  /** How many chat requests still have their connection open. */
  openStreams(): number {
    return this.exchanges.filter((exchange) => exchange.outcome === undefined).length;
  }

  /** Resolves once no chat request has an open connection (at once if none has). */
  whenAllStreamsClosed(): Promise<void> {
    if (this.openStreams() === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Stops listening and cuts every open connection, which also stops running scripts. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  /** Wakes {@link whenAllStreamsClosed} waiters once nothing is open; called as each request closes. */
  private notifyIfIdle(): void {
    if (this.openStreams() !== 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
