/**
 * Browser tests against a real Duet server: one fake model server, one
 * `startServer` and one headless Chromium per test file (started in
 * `beforeAll`, stopped in `afterAll` even when a test failed), and a fresh
 * browser context per test, opened on a notebook of its own.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import { probePython } from '@duet/kernel';
import { chooseServerLauncher, configSchema, createLogger, ScriptedModelServer, startServer, type RunningServer, type ScriptedExchange, type ScriptStep } from '@duet/server';

/** Debian's Python, which has ipykernel. */
const PYTHON = '/usr/bin/python3';
/** Debian's Chromium; these tests never download a browser. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
/** The ids the fake model server lists; the page picks them as A and B. */
export const MODEL_IDS = ['model-a', 'model-b'] as const;

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const APP_INDEX = join(REPO, 'apps/notebook/dist/index.html');
/** Where screenshots go (the root's `test-results/`, beside vitest's JSON report). */
export const RESULTS_DIR = join(REPO, 'test-results');
/** Server log lines kept for a failing test's report. */
const LOG_TAIL = 60;

/** A test's view of the stack. */
export interface E2eHarness {
  readonly models: ScriptedModelServer;
  readonly server: RunningServer;
  readonly browser: Browser;
  /** The server's notebooks folder, for files the API would refuse to write (a broken `.ipynb`). */
  readonly notebooksDir: string;
  /**
   * Answers the run whose request contains `prompt`: its first chat request
   * (model A, turn 1) with `turns[0]`, the next with `turns[1]`, and so on. A
   * request beyond the given turns gets an HTTP 500, so a run that goes further
   * than the test planned ends visibly instead of hanging. Call it inside a
   * test: the answer is forgotten when that test ends.
   */
  answer(prompt: string, ...turns: ScriptStep[][]): void;
  /** The chat requests of the run whose request contains `prompt`, in arrival order. */
  exchangesFor(prompt: string): ScriptedExchange[];
  /**
   * Creates notebook `name`, opens it in a fresh browser context (its own
   * cookie and local storage) and waits for its snapshot. Uncaught page errors
   * fail the test; a failing test leaves a screenshot in `test-results/`.
   * `bypassCsp` has the browser ignore the server's content security policy,
   * for tests of what the app itself lets run.
   */
  openNotebook(name: string, opts?: { bypassCsp?: boolean }): Promise<Page>;
  /**
   * Opens the app in a fresh browser context, on notebook `name` when given (else
   * on whatever the app opens by itself), without creating it or waiting for it.
   * Cleanup and failure reports as for {@link openNotebook}.
   */
  openPage(name: string | null, opts?: { bypassCsp?: boolean }): Promise<Page>;
}

interface Started {
  models: ScriptedModelServer;
  server: RunningServer;
  browser: Browser;
  notebooks: string;
  dirs: string[];
  logLines: string[];
}

/** Registers the file's `beforeAll` / `afterAll` and returns the harness the tests use. */
export function useE2eHarness(): E2eHarness {
  let started: Started | null = null;
  const scripts = new Map<string, ScriptStep[][]>();
  const answered = new Map<string, number>();

  const promptOf = (messages: readonly { role: string; content: string }[]): string | undefined => {
    const user = messages.find((m) => m.role === 'user')?.content ?? '';
    return [...scripts.keys()].find((p) => user.includes(p));
  };

  beforeAll(async () => {
    if (!existsSync(APP_INDEX)) {
      throw new Error(`The browser app is not built (no ${APP_INDEX}). Run \`npm run build\` from the repository root (\`npm test\` does it first), then run the e2e tests again.`);
    }
    if (!existsSync(CHROMIUM)) {
      throw new Error(`No Chromium at ${CHROMIUM}. Install Debian's chromium package (apt-get install chromium); these tests never download a browser.`);
    }
    const dirs: string[] = [];
    const logLines: string[] = [];
    let models: ScriptedModelServer | undefined;
    let server: RunningServer | undefined;
    try {
      models = await ScriptedModelServer.start({
        models: MODEL_IDS,
        script: (req) => {
          const prompt = promptOf(req.messages);
          if (prompt === undefined) return [{ type: 'http-error', status: 500, body: { error: 'the e2e script has no answer for this request' } }];
          const n = answered.get(prompt) ?? 0;
          answered.set(prompt, n + 1);
          return scripts.get(prompt)?.[n] ?? [{ type: 'http-error', status: 500, body: { error: `the e2e script has no answer number ${n + 1} for this run` } }];
        },
      });
      const notebooks = await mkdtemp(join(tmpdir(), 'duet-e2e-'));
      dirs.push(notebooks);
      const log = createLogger({
        level: 'info',
        destination: {
          write(line: string) {
            logLines.push(line);
            if (logLines.length > LOG_TAIL) logLines.shift();
          },
        },
      });
      const config = configSchema.parse({ port: 0, host: '127.0.0.1', notebooks, python: PYTHON, baseUrl: models.baseUrl, allowUnsandboxed: true });
      const probed = await probePython(PYTHON);
      const { launcher, sandbox } = await chooseServerLauncher({ python: PYTHON, sandbox: config.sandbox, allowUnsandboxed: true });
      server = await startServer(config, {
        runtime: { log, python: PYTHON, pythonVersion: probed?.pythonVersion ?? 'unknown', launcher, sandbox },
        log,
      });
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      started = { models, server, browser, notebooks, dirs, logLines };
    } catch (err) {
      await server?.close();
      await models?.close();
      for (const d of dirs) await rm(d, { recursive: true, force: true });
      throw err;
    }
  });

  afterAll(async () => {
    const s = started;
    started = null;
    if (!s) return;
    // Each step runs even if an earlier one failed: nothing may be left running.
    const results = await Promise.allSettled([s.browser.close(), s.server.close()]);
    await s.models.close();
    for (const d of s.dirs) await rm(d, { recursive: true, force: true });
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  });

  const need = (): Started => {
    if (!started) throw new Error('The e2e harness is not started: call useE2eHarness() at the top of the test file, outside any test.');
    return started;
  };

  const harness: E2eHarness = {
    get models() {
      return need().models;
    },
    get server() {
      return need().server;
    },
    get browser() {
      return need().browser;
    },
    get notebooksDir() {
      return need().notebooks;
    },
    answer(prompt, ...turns) {
      scripts.set(prompt, turns);
      answered.delete(prompt);
      onTestFinished(() => {
        scripts.delete(prompt);
      });
    },
    exchangesFor(prompt) {
      return need().models.exchanges.filter((e) => e.request.messages.some((m) => m.role === 'user' && m.content.includes(prompt)));
    },
    async openNotebook(name, opts = {}) {
      const s = need();
      const created = await fetch(`http://127.0.0.1:${s.server.port}/api/notebooks`, {
        method: 'POST',
        headers: { Authorization: `token ${s.server.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      if (created.status !== 201) throw new Error(`Creating notebook ${name} answered ${created.status}: ${await created.text()}`);
      const page = await harness.openPage(name, opts);
      await page.getByRole('main', { name: `Notebook ${name}` }).getByTestId('kernel-status').waitFor();
      return page;
    },
    async openPage(name, opts = {}) {
      const s = need();
      const context = await s.browser.newContext({ viewport: { width: 1280, height: 860 }, bypassCSP: opts.bypassCsp ?? false });
      context.setDefaultTimeout(30_000);
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (err) => pageErrors.push(err.stack ?? err.message));

      onTestFinished(async ({ task }) => {
        try {
          if (task.result?.state === 'fail') {
            await mkdir(RESULTS_DIR, { recursive: true });
            const file = join(RESULTS_DIR, `e2e-failed-${task.name.replace(/[^\w-]+/g, '-').slice(0, 80)}.png`);
            await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
            console.error(`[e2e] "${task.name}" failed; screenshot: ${file}\n[e2e] last server log lines:\n${s.logLines.join('')}`);
          }
        } finally {
          await context.close();
        }
        if (pageErrors.length > 0) throw new Error(`The page threw:\n${pageErrors.join('\n---\n')}`);
      });

      // `?token=` sets the cookie and redirects to `/`; the fragment survives the redirect.
      await page.goto(name === null ? s.server.url : `${s.server.url}#${encodeURIComponent(name)}`);
      return page;
    },
  };
  return harness;
}
