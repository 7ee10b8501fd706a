/**
 * `duet run`: the whole loop, headless. Writes the notebook as it goes, prints
 * progress on stderr and (with --json) one summary on stdout. Exit 0 when the
 * required tests passed, 1 when the run ended without them, 2 for bad usage.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { KernelSession } from '@duet/kernel';
import { ConfigError, resolveModels, type DuetConfig } from '../config/index.ts';
import { DEMO_KEYWORD } from '../config/models.ts';
import { CellRunner, DEFAULT_CONTEXT_WINDOW, GenerationController, inventoryLine, readKernelInventory, type ModelEndpoint } from '../controller/index.ts';
import { displayUrl } from '../llm/index.ts';
import { startDemoServer } from '../demo/index.ts';
import type { ScriptedModelServer } from '../models/index.ts';
import { Autosaver, NotebookDocument } from '../notebook/index.ts';
import { reportProgress } from './progress.ts';
import { prepareRuntime } from './setup.ts';

export interface RunArgs {
  prompt?: string;
  promptFile?: string;
  out: string;
  json: boolean;
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Registers the Ctrl-C handler; returns its removal. */
  onInterrupt: (fn: () => void) => () => void;
}

export async function runCommand(args: RunArgs, config: DuetConfig, io: Io): Promise<number> {
  const prompt = await readPrompt(args);
  const out = resolve(args.out);
  if (!out.endsWith('.ipynb')) throw new ConfigError(`--out must name an .ipynb file (got ${args.out}).`);
  await checkWritable(dirname(out));
  const name = basename(out, '.ipynb');
  const workdir = resolve(config.workdir ?? join(dirname(out), `${name}.files`));

  const usesDemo = [config.baseUrl, config.baseUrlA, config.baseUrlB].includes(DEMO_KEYWORD);
  let demo: ScriptedModelServer | null = null;
  let kernel: KernelSession | null = null;
  let saver: Autosaver | null = null;
  // Ctrl-C is handled from the start: before the run begins it abandons the set-up,
  // once the run is going it stops the run and keeps the notebook.
  let controller: GenerationController | null = null;
  let interrupts = 0;
  let abandon: (err: Error) => void = () => {};
  const abandoned = new Promise<never>((_, reject) => (abandon = reject));
  abandoned.catch(() => undefined);
  const setup = <T>(step: Promise<T>): Promise<T> => Promise.race([step, abandoned]);
  const removeInterrupt = io.onInterrupt(() => {
    interrupts += 1;
    if (interrupts > 1) process.exit(1);
    if (controller) {
      io.err('stopping (Ctrl-C again to quit at once)…');
      controller.stop();
    } else {
      abandon(new SetupAbandoned());
    }
  });
  try {
    if (usesDemo) demo = await setup(startDemoServer());
    const models = await setup(resolveModels(config, demo?.baseUrl));
    const rt = await setup(prepareRuntime(config, (m) => io.err(m)));
    for (const slot of ['A', 'B'] as const) io.err(describeModel(slot, models[slot]));
    io.err(`kernel: ${rt.python} (Python ${rt.pythonVersion}), sandbox: ${rt.sandbox.mode}${rt.sandbox.notes.length ? ` — ${rt.sandbox.notes.join(' ')}` : ''}`);
    await mkdir(workdir, { recursive: true });
    kernel = new KernelSession({ python: rt.python, workdir, launcher: rt.launcher, log: rt.log });
    io.err('starting the kernel…');
    await setup(kernel.start());
    const doc = new NotebookDocument(name);
    saver = new Autosaver(doc, out, 500, (err) => rt.log.error({ err: String(err) }, 'autosave failed'));
    const stopProgress = reportProgress(doc, (l) => io.err(l));
    const runner = new CellRunner({ doc, kernel, cellTimeoutMs: config.cellTimeout * 1000, log: rt.log });
    const session = kernel;
    controller = new GenerationController({ doc, runner, log: rt.log, inventory: async () => inventoryLine(await readKernelInventory(session, rt.log)) });
    const summary = await controller.start({
      prompt,
      models,
      required: config.passes,
      maxTurns: config.maxTurns,
      idleTimeoutMs: config.idleTimeout * 1000,
      firstTokenTimeoutMs: config.firstTokenTimeout * 1000,
      instructions: { ...(config.instructionsA !== undefined ? { A: config.instructionsA } : {}), ...(config.instructionsB !== undefined ? { B: config.instructionsB } : {}) },
    });
    stopProgress();
    await saver.close();
    saver = null;
    io.err(`${summary.halted}: ${summary.passes}/${summary.required} green tests in ${summary.turns} turns. Notebook: ${out}`);
    if (args.json) {
      const { halted, passes, required, turns, cells } = summary;
      io.out(`${JSON.stringify({ halted, passes, required, turns, cells })}\n`);
    }
    return summary.halted === 'tests-passed' ? 0 : 1;
  } catch (err) {
    if (!(err instanceof SetupAbandoned)) throw err;
    io.err('stopped before the run began: no model was asked and no notebook was written.');
    return 1;
  } finally {
    removeInterrupt();
    await saver?.close().catch(() => undefined);
    await kernel?.shutdown().catch(() => undefined);
    await demo?.close().catch(() => undefined);
  }
}

/** Ctrl-C during the set-up. */
class SetupAbandoned extends Error {}

async function readPrompt(args: RunArgs): Promise<string> {
  if (args.prompt !== undefined && args.promptFile !== undefined) throw new ConfigError('Give either --prompt or --prompt-file, not both.');
  let text: string;
  if (args.promptFile !== undefined) {
    try {
      text = await readFile(args.promptFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`Cannot read --prompt-file ${args.promptFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  } else if (args.prompt !== undefined) {
    text = args.prompt;
  } else {
    throw new ConfigError('Say what to build: --prompt "TEXT" or --prompt-file FILE.');
  }
  if (text.trim() === '') throw new ConfigError('The prompt is empty: say what the models should build.');
  return text;
}

/** Creates and removes a file in `dir`: the only check that also catches read-only mounts and root's rights. */
async function checkWritable(dir: string): Promise<void> {
  const probe = join(dir, `.duet-write-check-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '', { flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(`Cannot write the notebook: the folder ${dir} does not exist or is not writable (${code}). Choose another --out.`);
  }
  await rm(probe, { force: true });
}

/** One line per model for the start of a run: where it is served and how large its window is, with the flag to change a guess. */
export function describeModel(slot: 'A' | 'B', m: ModelEndpoint): string {
  const window = m.context?.window ?? DEFAULT_CONTEXT_WINDOW;
  const source = m.context?.source ?? 'default';
  const flag = `--context-${slot.toLowerCase()}`;
  const context =
    source === 'flag' ? `context ${window} tokens (${flag})` : source === 'server' ? `context ${window} tokens (from the server)` : `context ${window} tokens assumed: the server did not say; pass ${flag} if it is larger`;
  return `model ${slot}: ${m.id} at ${m.label ?? displayUrl(m.baseUrl)}, ${context}`;
}
