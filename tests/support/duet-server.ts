/**
 * A started Duet server for integration tests: real HTTP and WebSocket on an
 * ephemeral loopback port, a temporary notebooks folder, the real kernel, and
 * cleanup registered on the test that started it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { probePython } from '@duet/kernel';
import type { ClientCommand, NotebookSnapshot, ServerMessage } from '@duet/server/protocol';
import { chooseServerLauncher, configSchema, createLogger, startServer, type DuetConfig, type RunningServer, type ServerDeps } from '@duet/server';
import { applyEvent } from './notebook-mirror.ts';

/** Debian's Python, which has ipykernel. */
export const PYTHON = '/usr/bin/python3';

export interface TestServer {
  server: RunningServer;
  /** `http://127.0.0.1:PORT` */
  base: string;
  token: string;
  /** The notebooks folder. */
  dir: string;
  /** The server log's folder. */
  logDir: string;
  config: DuetConfig;
  /** An HTTP request with the token (unless `token: null`). */
  api(method: string, path: string, opts?: ApiOptions): Promise<ApiResponse>;
  /** Connects a browser-like client to a notebook's WebSocket; resolves after the snapshot. */
  connect(name: string, opts?: { origin?: string }): Promise<NotebookClient>;
  /** The WebSocket URL of a notebook. */
  wsUrl(name: string): string;
}

export interface ApiOptions {
  body?: unknown;
  /** `null` sends no token; a string sends that one. */
  token?: string | null;
  headers?: Record<string, string>;
  redirect?: RequestRedirect;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

/** Starts a server on a fresh folder (or `dir`); it is closed and the folder removed when the test ends. */
export async function startTestServer(opts: { config?: Record<string, unknown>; deps?: ServerDeps; dir?: string } = {}): Promise<TestServer> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'duet-server-test-')));
  const logDir = await mkdtemp(join(tmpdir(), 'duet-server-log-'));
  const config = configSchema.parse({ port: 0, notebooks: dir, python: PYTHON, baseUrl: 'demo', logLevel: 'debug', ...opts.config });
  const log = createLogger({ dir: logDir, level: 'debug' });
  const probed = await probePython(PYTHON);
  const { launcher, sandbox } = await chooseServerLauncher({ python: PYTHON, sandbox: config.sandbox, allowUnsandboxed: true });
  const server = await startServer(config, {
    runtime: { log, python: PYTHON, pythonVersion: probed?.pythonVersion ?? 'unknown', launcher, sandbox },
    log,
    demoPacing: { chunkDelayMs: 0 },
    ...opts.deps,
  });
  onTestFinished(async () => {
    await server.close();
    if (!opts.dir) await rm(dir, { recursive: true, force: true });
    await rm(logDir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${server.port}`;
  const wsUrl = (name: string): string => `ws://127.0.0.1:${server.port}/api/notebooks/${encodeURIComponent(name)}/ws`;
  return {
    server,
    base,
    token: server.token,
    dir,
    logDir,
    config,
    wsUrl,
    api: (method, path, o = {}) => api(base, server.token, method, path, o),
    connect: async (name, o = {}) => {
      const client = await NotebookClient.connect(wsUrl(name), { Authorization: `token ${server.token}`, ...(o.origin ? { Origin: o.origin } : {}) });
      onTestFinished(() => client.close());
      return client;
    },
  };
}

async function api(base: string, token: string, method: string, path: string, o: ApiOptions): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...o.headers };
  const t = o.token === undefined ? token : o.token;
  if (t !== null) headers.Authorization = `token ${t}`;
  if (o.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    redirect: o.redirect ?? 'manual',
    ...(o.body !== undefined ? { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
}

/** Opens a WebSocket and reports how the server answered the upgrade. */
export function tryUpgrade(url: string, headers: Record<string, string>): Promise<{ opened: true } | { opened: false; status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.on('error', () => undefined);
  });
}

interface Waiter {
  check: () => boolean;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** A browser stand-in: keeps a mirror of the notebook from the snapshot and the events. */
export class NotebookClient {
  readonly messages: ServerMessage[] = [];
  readonly errors: string[] = [];
  /** Problems with the stream itself (a seq gap, an event before the snapshot). */
  readonly protocolFaults: string[] = [];
  nb!: NotebookSnapshot;
  closeInfo: { code: number; reason: string } | null = null;
  readonly #waiters = new Set<Waiter>();
  #seq = 0;

  private constructor(readonly ws: WebSocket) {}

  static connect(url: string, headers: Record<string, string>): Promise<NotebookClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new NotebookClient(ws);
      ws.on('message', (data) => {
        const first = client.messages.length === 0;
        client.#receive(JSON.parse(data.toString()) as ServerMessage);
        if (first) resolve(client);
      });
      ws.on('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
      ws.on('error', reject);
      ws.on('close', (code, reason) => {
        client.closeInfo = { code, reason: reason.toString() };
        for (const w of client.#waiters) w.reject(new Error(`socket closed (${code} ${reason.toString()}) while waiting`));
        client.#waiters.clear();
      });
    });
  }

  send(cmd: ClientCommand | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(cmd));
  }

  /** Resolves once `check` holds for the mirror (checked after every message). */
  until(check: (nb: NotebookSnapshot) => boolean): Promise<void> {
    if (check(this.nb)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (this.closeInfo) return reject(new Error('socket is closed'));
      this.#waiters.add({ check: () => check(this.nb), resolve, reject });
    });
  }

  /** Resolves with the next error message the server sends this client. */
  nextError(): Promise<string> {
    const count = this.errors.length;
    return new Promise((resolve, reject) => {
      this.#waiters.add({ check: () => this.errors.length > count, resolve: () => resolve(this.errors[count] as string), reject });
    });
  }

  /** Resolves once the socket has closed. */
  closed(): Promise<{ code: number; reason: string }> {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    return new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }

  #receive(m: ServerMessage): void {
    this.messages.push(m);
    if (m.seq !== this.#seq + 1) this.protocolFaults.push(`seq ${m.seq} after ${this.#seq}`);
    this.#seq = m.seq;
    if (m.type === 'snapshot') this.nb = structuredClone(m.notebook);
    else if (m.type === 'error') this.errors.push(m.message);
    else if (!this.nb) this.protocolFaults.push('event before snapshot');
    else applyEvent(this.nb, m.event);
    for (const w of [...this.#waiters]) {
      if (w.check()) {
        this.#waiters.delete(w);
        w.resolve();
      }
    }
  }
}

/** The cells of a mirror as nbformat JSON would hold them, runtime state left out. */
export function cellsOf(nb: NotebookSnapshot): unknown[] {
  return nb.cells.map((c) => ({ id: c.id, cellType: c.cellType, source: c.source, outputs: c.outputs, executionCount: c.executionCount, duet: c.duet }));
}
