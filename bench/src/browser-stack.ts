/**
 * What the browser benchmark runs against: a scripted model server, `duet serve`
 * started in this process on an ephemeral loopback port (as the e2e tests start
 * it), the built app, and Debian's headless Chromium. Everything started is
 * closed by {@link BrowserStack.close}, and by the start itself when a later
 * step fails.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { probePython } from '@duet/kernel';
import { chooseServerLauncher, configSchema, createLogger, ScriptedModelServer, startServer, type RunningServer, type Script } from '@duet/server';

const PYTHON = '/usr/bin/python3';
const CHROMIUM = '/usr/bin/chromium';
/** The e2e tests' flags, so the figures come from the browser the tests drive. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const APP_INDEX = fileURLToPath(new URL('../../apps/notebook/dist/index.html', import.meta.url));
/** The ids the scripted model server lists; the page picks them as A and B. */
const MODEL_IDS = ['model-a', 'model-b'];

/** The running stack. */
export interface BrowserStack {
  readonly models: ScriptedModelServer;
  readonly server: RunningServer;
  readonly browser: Browser;
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  /** The kernels' sandbox, for the section title. */
  readonly sandbox: string;
  /** An API request with the token; throws with the server's answer unless it is 2xx. */
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  /** A fresh browser context (its own cache and storage) holding the server's token cookie. */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Starts the stack; the model server answers every chat request with `script`. */
export async function startBrowserStack(script: Script): Promise<BrowserStack> {
  if (!existsSync(APP_INDEX)) {
    throw new Error(`The browser app is not built (no ${APP_INDEX}). Run \`npm run build\` from the repository root, then \`npm run bench -- browser\` again.`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}. Install Debian's chromium package (apt-get install chromium); the benchmark never downloads a browser.`);
  }
  let models: ScriptedModelServer | undefined;
  let server: RunningServer | undefined;
  let notebooks: string | undefined;
  try {
    models = await ScriptedModelServer.start({ models: MODEL_IDS, script });
    notebooks = await mkdtemp(join(tmpdir(), 'duet-bench-browser-'));
    // Only trouble reaches the terminal; the benchmark's own output is the tables.
    const log = createLogger({ level: 'error', destination: process.stderr });
    const config = configSchema.parse({ port: 0, host: '127.0.0.1', notebooks, python: PYTHON, baseUrl: models.baseUrl, allowUnsandboxed: true });
    const probed = await probePython(PYTHON);
    const { launcher, sandbox } = await chooseServerLauncher({ python: PYTHON, sandbox: config.sandbox, allowUnsandboxed: true });
    server = await startServer(config, { runtime: { log, python: PYTHON, pythonVersion: probed?.pythonVersion ?? 'unknown', launcher, sandbox }, log });
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    return stack(models, server, browser, notebooks, sandbox.mode);
  } catch (err) {
    await server?.close();
    await models?.close();
    if (notebooks) await rm(notebooks, { recursive: true, force: true });
    throw err;
  }
}

function stack(models: ScriptedModelServer, server: RunningServer, browser: Browser, notebooks: string, sandbox: string): BrowserStack {
  const base = `http://127.0.0.1:${server.port}`;
  return {
    models,
    server,
    browser,
    base,
    sandbox,
    async api(method, path, body) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `token ${server.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
      return text ? (JSON.parse(text) as unknown) : undefined;
    },
    async newContext() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      context.setDefaultTimeout(30_000);
      // The context's request client shares its cookies: `?token=` sets the cookie without drawing a page.
      const res = await context.request.get(server.url);
      if (!res.ok()) {
        await context.close();
        throw new Error(`Opening ${base} with the token answered ${res.status()}.`);
      }
      return context;
    },
    async close() {
      // Each step runs even if an earlier one failed: nothing may be left running.
      const results = await Promise.allSettled([browser.close(), server.close()]);
      await models.close();
      await rm(notebooks, { recursive: true, force: true });
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
