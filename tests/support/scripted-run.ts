/**
 * A generation controller wired to a real kernel and a {@link ScriptedModelServer}
 * on loopback, for tests and benchmarks that script the models' answers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { KernelSession, silentLogger } from '@duet/kernel';
import { CellRunner, GenerationController, NotebookDocument, ScriptedModelServer, contentChunks, serializeNotebook } from '@duet/server';
import type { DocumentEvent, HaltReason } from '@duet/server/protocol';
import type { RunSummary, Script, ScriptStep } from '@duet/server';
import { SYSTEM_PYTHON } from './nbformat.ts';

export const MODEL_A = 'model-a';
export const MODEL_B = 'model-b';

/** A marked code block, as a model writes it. */
export function runCode(source: string): string {
  return `RUN-CODE\n\`\`\`python\n${source}\n\`\`\`\n\n`;
}

/** A marked test block, as a model writes it. */
export function testAssert(source: string): string {
  return `TEST-ASSERT\n\`\`\`python\n${source}\n\`\`\`\n\n`;
}

/** An answer streamed in small chunks, then finished. */
export function answer(text: string, chunk = 9): ScriptStep[] {
  return [...contentChunks(text, chunk), { type: 'finish', reason: 'stop' }];
}

/** A script that gives the n-th chat request the n-th answer (and a plain sentence after the last). */
export function inTurn(...answers: (ScriptStep[] | (() => Iterable<ScriptStep> | AsyncIterable<ScriptStep>))[]): Script {
  return (_req, ctx) => {
    const next = answers[ctx.requestIndex];
    if (next === undefined) return answer('Nothing more to add.');
    return typeof next === 'function' ? next() : next;
  };
}

/** A promise and its resolver, for gating a script on something the test decides. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * One kernel for all the tests of a file: started before them, shut down after.
 * Read `kernel` and `dir` inside tests (they are set once the file's tests begin).
 */
export function useSharedKernel(): { readonly kernel: KernelSession; readonly dir: string } {
  let started: Awaited<ReturnType<typeof startKernel>> | undefined;
  beforeAll(async () => {
    started = await startKernel();
  });
  afterAll(async () => {
    await started?.close();
  });
  const get = (): Awaited<ReturnType<typeof startKernel>> => {
    if (!started) throw new Error('the shared kernel is read before the tests started');
    return started;
  };
  return {
    get kernel() {
      return get().kernel;
    },
    get dir() {
      return get().dir;
    },
  };
}

/** A kernel on Debian's Python in a temporary working folder, shared by the tests of one file. */
export async function startKernel(): Promise<{ kernel: KernelSession; dir: string; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'duet-run-'));
  const kernel = new KernelSession({ python: SYSTEM_PYTHON, workdir: join(dir, 'work') });
  await kernel.start();
  return {
    kernel,
    dir,
    close: async () => {
      await kernel.shutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ScriptedRunOptions {
  kernel: KernelSession;
  script: Script;
  prompt?: string;
  required?: number;
  maxTurns?: number;
  cellTimeoutMs?: number;
  /** How long an interrupted cell may take to stop before the kernel is restarted. */
  interruptGraceMs?: number;
  idleTimeoutMs?: number;
  models?: string[];
  onHalting?: (reason: HaltReason) => void;
}

export interface ScriptedRun {
  server: ScriptedModelServer;
  doc: NotebookDocument;
  runner: CellRunner;
  controller: GenerationController;
  /** Every document event, in order. */
  events: DocumentEvent[];
  start: () => Promise<RunSummary>;
  /** Writes the notebook as the CLI would and returns its path. */
  save: (dir: string) => Promise<string>;
  close: () => Promise<void>;
}

/** Wires a document, a cell runner and a controller to a fresh scripted server. */
export async function scriptedRun(opts: ScriptedRunOptions): Promise<ScriptedRun> {
  const server = await ScriptedModelServer.start({ models: opts.models ?? [MODEL_A, MODEL_B], script: opts.script });
  const doc = new NotebookDocument('scripted');
  const events: DocumentEvent[] = [];
  doc.on((e) => events.push(e));
  const runner = new CellRunner({
    doc,
    kernel: opts.kernel,
    cellTimeoutMs: opts.cellTimeoutMs ?? 20_000,
    log: silentLogger,
    ...(opts.interruptGraceMs ? { interruptGraceMs: opts.interruptGraceMs } : {}),
  });
  const controller = new GenerationController({ doc, runner, log: silentLogger, ...(opts.onHalting ? { onHalting: opts.onHalting } : {}) });
  return {
    server,
    doc,
    runner,
    controller,
    events,
    start: () =>
      controller.start({
        prompt: opts.prompt ?? 'Write add(a, b) with tests.',
        models: { A: { id: MODEL_A, baseUrl: server.baseUrl }, B: { id: MODEL_B, baseUrl: server.baseUrl } },
        required: opts.required ?? 2,
        maxTurns: opts.maxTurns ?? 4,
        ...(opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
      }),
    save: async (dir) => {
      const path = join(dir, `run-${Math.random().toString(36).slice(2)}.ipynb`);
      await writeFile(path, serializeNotebook(doc));
      return path;
    },
    close: async () => {
      controller.stop();
      runner.dispose();
      await server.close();
    },
  };
}

/** Resolves once the document emits an event that passes `test`. */
export function nextEvent(doc: NotebookDocument, test: (e: DocumentEvent) => boolean): Promise<DocumentEvent> {
  return new Promise((resolve) => {
    const off = doc.on((e) => {
      if (!test(e)) return;
      off();
      resolve(e);
    });
  });
}
