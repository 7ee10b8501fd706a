/**
 * `duet serve`: the HTTP API, the notebooks' WebSockets, the demo models and
 * the browser app, on one port, behind one access token.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import express from 'express';
import { describeRuntime, kernelsFor, prepareRuntime, startTimeout, type Runtime } from '../runtime/index.ts';
import { ConfigError, type DuetConfig } from '../config/index.ts';
import { DEMO_MODELS, demoScript, type DemoPacing } from '../demo/index.ts';
import { KernelPool, spareHandover } from '../kernels/index.ts';
import type { Logger } from '../log.ts';
import { createModelHandler } from '../models/index.ts';
import { DEFAULT_NOTEBOOK_LIMITS, type NotebookLimits } from '../notebook/index.ts';
import { NotebookStore, OpenNotebooks } from '../sessions/index.ts';
import { authMiddleware, newToken, type AuthOptions } from './auth.ts';
import { errorHandler, HttpError } from './errors.ts';
import { NotebookSockets } from './notebook-socket.ts';
import { infoRoutes } from './routes-info.ts';
import { notebookRoutes } from './routes-notebooks.ts';
import { runRoutes } from './routes-runs.ts';
import { evalRoutes } from './routes-evals.ts';
import { resolveRunModels, type ModelContext } from './run-models.ts';
import { requestLog, securityHeaders } from './security-headers.ts';
import { DEFAULT_STATIC_DIR, staticApp } from './static-app.ts';

/** A started server. */
export interface RunningServer {
  /** The address to open, with `?token=`. */
  url: string;
  port: number;
  token: string;
  /** Stops runs, saves every notebook, shuts every kernel down, stops listening. Safe to call twice. */
  close(): Promise<void>;
}

/** What tests, benchmarks and the command line may set beyond the configuration. */
export interface ServerDeps {
  /** One-line messages for the terminal (start-up steps, warnings). */
  progress?: (message: string) => void;
  /** Python, launcher and sandbox report; found from the configuration when absent. */
  runtime?: Runtime;
  /** The log; the runtime's when absent. */
  log?: Logger;
  /** Kernels started ahead of time (default 1). */
  warmKernels?: number;
  /** An open notebook with no browser and nothing running is closed after this long (default 30 min). */
  idleKernelMs?: number;
  /** Autosave interval (default 500 ms). */
  autosaveMs?: number;
  /** Window in which a model's tokens are merged per browser (default 30 ms). */
  coalesceMs?: number;
  /** Bytes a browser's socket may hold unsent before it is dropped (default 8 MiB). */
  maxBufferedBytes?: number;
  /** How fast the demo models type. */
  demoPacing?: DemoPacing;
  /** The built browser app (default apps/notebook/dist). */
  staticDir?: string;
  /** What one cell's output and one notebook may hold (default {@link DEFAULT_NOTEBOOK_LIMITS}). */
  notebookLimits?: NotebookLimits;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Starts the server: scans the notebooks folder, starts warming a kernel,
 * listens, and serves the API, the WebSockets, the demo models and the app.
 * Resolves once it listens; `url` carries the access token.
 */
export async function startServer(config: DuetConfig, deps: ServerDeps = {}): Promise<RunningServer> {
  const progress = deps.progress ?? (() => undefined);
  const runtime = deps.runtime ?? (await prepareRuntime(config, progress));
  const log = deps.log ?? runtime.log;
  const token = config.token ?? newToken();
  const notebooksDir = resolve(config.notebooks);

  if (!LOOPBACK.has(config.host)) {
    const warning = `WARNING: listening on ${config.host}, not only on this machine. Anyone who can reach this address and has the token can run code as you. Use --host 127.0.0.1 unless you mean it.`;
    progress(warning);
    log.warn({ host: config.host }, 'listening beyond loopback');
  }

  const store = new NotebookStore(notebooksDir, log, deps.notebookLimits ?? DEFAULT_NOTEBOOK_LIMITS);
  const found = await store.init();
  for (const bad of found.filter((n) => n.error !== undefined)) progress(`skipping ${bad.name}.ipynb: ${bad.error} (left as it is)`);

  const remote = runtime.kind === 'remote';
  const pool = new KernelPool({
    newKernel: kernelsFor(runtime, startTimeout(config)),
    spares: spareHandover({ remote, ...(remote ? {} : { launcher: runtime.launcher }), ...(config.workdir !== undefined ? { sharedWorkdir: config.workdir } : {}) }),
    warm: deps.warmKernels ?? 1,
    spareRoot: join(notebooksDir, '.duet-spare'),
    ...(config.workdir !== undefined ? { sharedWorkdir: resolve(config.workdir) } : {}),
    log: log.child({ part: 'kernel' }),
  });
  await pool.start();

  const server = createServer();
  try {
    await listen(server, config.port, config.host);
  } catch (err) {
    await pool.close();
    throw new ConfigError(listenError(err, config));
  }
  const port = (server.address() as AddressInfo).port;
  const self = `http://${selfHost(config.host)}:${port}`;

  const auth: AuthOptions = {
    token,
    origins: ownOrigins(config.host, port),
    sameHostOrigin: config.host === '0.0.0.0' || config.host === '::',
    cookieName: `duet-token-${port}`,
    log,
  };
  const models: ModelContext = { config, demoModels: DEMO_MODELS, demoBaseUrl: `${self}/demo/v1`, demoApiKey: token };
  const notebooks = new OpenNotebooks({
    store,
    pool,
    log,
    ...(config.workdir !== undefined ? { sharedWorkdir: config.workdir } : {}),
    cellTimeoutMs: config.cellTimeout * 1000,
    autosaveMs: deps.autosaveMs ?? 500,
    idleMs: deps.idleKernelMs ?? 30 * 60_000,
    defaults: {
      required: config.passes,
      maxTurns: config.maxTurns,
      idleTimeoutMs: config.idleTimeout * 1000,
      firstTokenTimeoutMs: config.firstTokenTimeout * 1000,
      instructions: { ...(config.instructionsA !== undefined ? { A: config.instructionsA } : {}), ...(config.instructionsB !== undefined ? { B: config.instructionsB } : {}) },
      mode: config.mode,
      first: config.first ?? 'A',
    },
    resolveModels: (req) => resolveRunModels(models, req),
  });
  const sockets = new NotebookSockets({
    auth,
    notebooks,
    log,
    coalesceMs: deps.coalesceMs ?? 30,
    maxBufferedBytes: deps.maxBufferedBytes ?? 8 * 1024 * 1024,
    maxMessageBytes: 16 * 1024 * 1024,
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders());
  app.use(requestLog(log));
  app.use(authMiddleware(auth));
  app.use('/demo/v1', createModelHandler({ models: DEMO_MODELS, script: demoScript(deps.demoPacing) }));
  app.use('/api', express.json({ limit: '64mb' }));
  app.use(infoRoutes({ version: serverVersion(), pythonVersion: runtime.kind === 'remote' ? 'on the gateway' : runtime.pythonVersion, sandbox: runtime.sandbox, models, probeTimeoutMs: 3000, kernels: () => ({ live: pool.liveCount, warm: pool.readySpares, openNotebooks: notebooks.all.length }) }));
  app.use(notebookRoutes(store, notebooks));
  app.use(runRoutes(store, notebooks));
  app.use(evalRoutes({ notebooksDir, evalsDir: config.evals }));
  app.use('/api', (req, _res, next) => next(new HttpError(404, `No such API: ${req.method} ${req.originalUrl.split('?')[0]}`)));
  app.use(staticApp(deps.staticDir ?? DEFAULT_STATIC_DIR));
  app.use(errorHandler(log));
  server.on('request', app);
  server.on('upgrade', (req, socket, head) => sockets.handleUpgrade(req, socket, head));

  log.info({ host: config.host, port, notebooks: notebooksDir, sandbox: runtime.sandbox.mode, ...(runtime.kind === 'remote' ? { gateway: runtime.gateway.url } : { python: runtime.python }) }, 'server listening');
  progress(describeRuntime(runtime));
  progress(`notebooks: ${notebooksDir}`);

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      log.info('server stopping');
      const stopped = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      sockets.close();
      await notebooks.closeAll();
      await pool.close();
      server.closeAllConnections();
      await stopped;
      log.info('server stopped');
    })();
    return closing;
  };

  return { url: `${self}/?token=${token}`, port, token, close };
}

/** The origins a browser on this machine uses for the server. */
export function ownOrigins(host: string, port: number): Set<string> {
  const origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`]);
  if (!LOOPBACK.has(host) && host !== '0.0.0.0' && host !== '::') origins.add(`http://${bracket(host).toLowerCase()}:${port}`);
  return origins;
}

/** How this machine reaches the server (the demo models, the printed URL): a wildcard address is not one to connect to. */
function selfHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return bracket(host);
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
}

function listenError(err: unknown, config: DuetConfig): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `Port ${config.port} on ${config.host} is already in use (another Duet or Jupyter?). Stop it, or pick another port with --port.`;
  if (code === 'EADDRNOTAVAIL') return `${config.host} is not an address of this machine. Use --host 127.0.0.1.`;
  if (code === 'EACCES') return `Not allowed to listen on port ${config.port}. Pick a port above 1024 with --port.`;
  return `Could not listen on ${config.host}:${config.port}: ${err instanceof Error ? err.message : String(err)}`;
}


function serverVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
