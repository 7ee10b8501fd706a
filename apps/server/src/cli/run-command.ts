/**
 * `duet run`: the whole loop, headless. Writes the notebook as it goes, prints
 * progress on stderr and (with --json) one summary on stdout. Exit 0 when the
 * required tests passed, 1 when the run ended without them, 2 for bad usage.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { KernelConnection } from '@duet/kernel';
import { ConfigError, resolveModels, type DuetConfig } from '../config/index.ts';
import { DEMO_KEYWORD } from '../config/models.ts';
import { CellRunner, DEFAULT_CONTEXT_WINDOW, GenerationController, inventoryLine, markStale, readKernelInventory, type ModelEndpoint, type RunKind } from '../controller/index.ts';
import type { NotebookCell } from '../protocol/index.ts';
import { displayUrl } from '../llm/index.ts';
import { startDemoServer } from '../demo/index.ts';
import type { ScriptedModelServer } from '../models/index.ts';
import { Autosaver, NotebookDocument, fromIpynb } from '../notebook/index.ts';
import { reportProgress } from './progress.ts';
import { describeRuntime, kernelsFor, prepareRuntime, startTimeout } from '../runtime/index.ts';
import { CtrlC, SetupAbandoned } from './ctrl-c.ts';

export interface RunArgs {
  prompt?: string;
  promptFile?: string;
  /** Where to write the notebook; default the `notebook` it continues. */
  out?: string;
  /** A notebook to continue. */
  notebook?: string;
  kind: RunKind;
  fresh: boolean;
  /** Both --continue and --retry were given. */
  both?: boolean;
  json: boolean;
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Registers the Ctrl-C handler; returns its removal. */
  onInterrupt: (fn: () => void) => () => void;
  /**
   * Registers a SIGTERM handler; returns its removal. Commands treat SIGTERM as
   * Ctrl-C, so a service manager's stop still shuts kernels down: one on a
   * gateway would otherwise outlive Duet there.
   */
  onTerminate?: (fn: () => void) => () => void;
}

export async function runCommand(args: RunArgs, config: DuetConfig, io: Io): Promise<number> {
  checkRunArgs(args);
  const prompt = args.kind === 'new' ? await readPrompt(args) : '';
  const outArg = (args.out ?? args.notebook) as string;
  const out = resolve(outArg);
  if (!out.endsWith('.ipynb')) throw new ConfigError(`--out must name an .ipynb file (got ${outArg}).`);
  await checkWritable(dirname(out));
  const name = basename(out, '.ipynb');
  const earlier = args.notebook === undefined ? null : await readNotebook(args.notebook, name);
  const lastRun = earlier?.meta.runs.at(-1);
  if (args.kind !== 'new' && !earlier?.meta.runs.some((r) => r.kind === 'new')) {
    throw new ConfigError(`${args.notebook} has no run to go on with: send a request with --prompt first.`);
  }
  // A notebook's own settings come before the command line's defaults; Continue and
  // Retry keep the latest run's models, mode and required count unless told otherwise.
  const settings = earlier?.meta.settings ?? {};
  const resumed = args.kind !== 'new' && lastRun !== undefined ? lastRun : undefined;
  const modelConfig = {
    ...config,
    modelA: config.modelA ?? resumed?.models.A.id ?? settings.modelA,
    modelB: config.modelB ?? resumed?.models.B.id ?? settings.modelB,
  };
  const required = resumed?.required ?? settings.passes ?? config.passes;
  const mode = resumed?.mode ?? settings.mode ?? config.mode;
  const maxTurns = args.kind === 'retry' ? 1 : (settings.maxTurns ?? config.maxTurns);
  const instructionsA = config.instructionsA ?? settings.instructionsA;
  const instructionsB = config.instructionsB ?? settings.instructionsB;
  const workdir = resolve(config.workdir ?? join(dirname(out), `${name}.files`));

  const usesDemo = [config.baseUrl, config.baseUrlA, config.baseUrlB].includes(DEMO_KEYWORD);
  let demo: ScriptedModelServer | null = null;
  let kernel: KernelConnection | null = null;
  let saver: Autosaver | null = null;
  const ctrlC = new CtrlC(io);
  const setup = <T>(step: Promise<T>): Promise<T> => ctrlC.setup(step);
  try {
    if (usesDemo) demo = await setup(startDemoServer());
    const models = await setup(resolveModels(modelConfig, demo?.baseUrl));
    const rt = await setup(prepareRuntime(config, (m) => io.err(m)));
    for (const slot of ['A', 'B'] as const) io.err(describeModel(slot, models[slot]));
    io.err(describeRuntime(rt));
    await mkdir(workdir, { recursive: true });
    const where = rt.kind === 'remote' ? ` on ${rt.gateway.url}` : '';
    let saidSeconds = 0;
    const onStarting = (ms: number): void => {
      // Every 5 s, so a slow cluster launch shows it is still waiting.
      const s = Math.floor(ms / 5000) * 5;
      if (s > saidSeconds) io.err(`starting a kernel${where}… ${(saidSeconds = s)} s`);
    };
    const session = kernelsFor(rt, { ...startTimeout(config), onStarting })(workdir);
    kernel = session;
    io.err(`starting a kernel${where}…`);
    await setup(session.start());
    const doc = earlier ?? new NotebookDocument(name);
    saver = new Autosaver(doc, out, 500, (err) => rt.log.error({ err: String(err) }, 'autosave failed'));
    const stopProgress = reportProgress(doc, (l) => io.err(l));
    const runner = new CellRunner({ doc, kernel: session, cellTimeoutMs: config.cellTimeout * 1000, log: rt.log });
    if (earlier !== null && !args.fresh) await setup(replayCode(doc, runner, (m) => io.err(m)));
    const generation = new GenerationController({ doc, runner, log: rt.log, inventory: async () => inventoryLine(await readKernelInventory(session, rt.log)) });
    ctrlC.working(() => {
      io.err('stopping (Ctrl-C again to quit at once)…');
      generation.stop();
    });
    const summary = await generation.start({
      prompt,
      models,
      required,
      maxTurns,
      idleTimeoutMs: config.idleTimeout * 1000,
      firstTokenTimeoutMs: config.firstTokenTimeout * 1000,
      instructions: { ...(instructionsA !== undefined ? { A: instructionsA } : {}), ...(instructionsB !== undefined ? { B: instructionsB } : {}) },
      kind: args.kind,
      mode,
      ...(config.first !== undefined ? { first: config.first } : args.kind === 'new' && settings.first !== undefined ? { first: settings.first } : {}),
      ...(args.fresh ? { fresh: true } : {}),
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
    ctrlC.dispose();
    await saver?.close().catch(() => undefined);
    await kernel?.shutdown().catch(() => undefined);
    await demo?.close().catch(() => undefined);
  }
}

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

/** Flags that only make sense together, checked before anything starts. */
function checkRunArgs(args: RunArgs): void {
  if (args.both) throw new ConfigError('Give --continue or --retry, not both.');
  if (args.kind !== 'new' && args.notebook === undefined) throw new ConfigError(`--${args.kind} goes on with a notebook: name it with --notebook FILE.ipynb.`);
  if (args.kind !== 'new' && (args.prompt !== undefined || args.promptFile !== undefined)) throw new ConfigError(`--${args.kind} carries on the notebook's latest request: leave out --prompt, or send a new request without --${args.kind}.`);
  if (args.fresh && args.notebook === undefined) throw new ConfigError('--fresh starts a new conversation in a notebook: name it with --notebook FILE.ipynb.');
  if (args.fresh && args.kind !== 'new') throw new ConfigError(`--fresh starts a new conversation with a new request; --${args.kind} goes on with the current one. Give one of them.`);
  if (args.out === undefined && args.notebook === undefined) throw new ConfigError('Say where to write the notebook: --out FILE.ipynb (or continue one with --notebook FILE.ipynb).');
}

/** The notebook to continue, or a message that says why it cannot be. */
async function readNotebook(path: string, name: string): Promise<NotebookDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read --notebook ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`);
  }
  try {
    return fromIpynb(name, JSON.parse(text));
  } catch (err) {
    throw new ConfigError(`--notebook ${path} is not a notebook Duet can read: ${err instanceof Error ? err.message : String(err)}. It was left as it is.`);
  }
}

/**
 * A fresh kernel knows nothing of the notebook's variables: its code cells run
 * again first (tests are left as they are), so the models build on what the cells define.
 */
async function replayCode(doc: NotebookDocument, runner: CellRunner, say: (m: string) => void): Promise<void> {
  const start = doc.meta.contextFrom ? Math.max(0, doc.indexOf(doc.meta.contextFrom)) : 0;
  const code = doc.cells.slice(start).filter((c) => c.cellType === 'code' && c.duet.role === 'code' && !c.duet.unrunnable && !c.duet.discarded);
  if (code.length === 0) return;
  say(`running the notebook's ${code.length} code cell${code.length === 1 ? '' : 's'} again to restore the kernel's state…`);
  // The tests below were judged against the old kernel: stale until they run again.
  markStale(doc, doc.indexOf((code[0] as NotebookCell).id) + 1);
  for (const c of code) await runner.run(c.id);
}
