/**
 * `duet eval`: every task of a task set run by every pair (in every mode asked
 * for), each judged by hidden tests in a fresh kernel; a progress line per task,
 * the scoreboard at the end, `DIR/report.html`. Exit 0 when every run has been
 * judged, 1 when some were stopped or ended in an error (run it again to finish
 * them), 2 for bad usage or configuration.
 */
import { mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, resolveModels, type DuetConfig } from '../config/index.ts';
import { DEMO_KEYWORD } from '../config/models.ts';
import type { RunMode } from '../controller/index.ts';
import { DEMO_MODELS, startDemoServer } from '../demo/index.ts';
import {
  BUILTIN_TASKS,
  contestantId,
  EvalRunner,
  PairSpecError,
  parsePair,
  progressReporter,
  readTaskSet,
  REPORT_FILE,
  resultKey,
  scoreboardText,
  TaskFileError,
  type Contestant,
  type PairSpec,
  type TaskSet,
} from '../eval/index.ts';
import type { ScriptedModelServer } from '../models/index.ts';
import { describeModel, type Io } from './run-command.ts';
import { describeRuntime, kernelsFor, prepareRuntime, startTimeout } from '../runtime/index.ts';
import { CtrlC, SetupAbandoned } from './ctrl-c.ts';

export interface EvalArgs {
  /** A JSONL file, or `builtin`. */
  tasks: string;
  /** `--pair` values as given; none means the pair `duet run` would pick. */
  pairs: string[];
  /** `--mode` values as given; none means the configured mode. */
  modes: string[];
  out: string;
  /** Only the first N tasks. */
  limit?: number;
  json: boolean;
}

const MODES: readonly RunMode[] = ['relay', 'coder-tester'];

export async function evalCommand(args: EvalArgs, config: DuetConfig, io: Io): Promise<number> {
  const modes = checkModes(args.modes, config.mode);
  const taskSet = await readTasks(args.tasks, args.limit);
  const pairs = args.pairs.map((p) => {
    try {
      return parsePair(p);
    } catch (err) {
      if (err instanceof PairSpecError) throw new ConfigError(err.message);
      throw err;
    }
  });
  const dir = resolve(args.out);
  await checkOutDir(dir);

  const usesDemo = [config.baseUrl, config.baseUrlA, config.baseUrlB, ...pairs.flatMap((p) => [p.A.baseUrl, p.B.baseUrl])].includes(DEMO_KEYWORD);
  let demo: ScriptedModelServer | null = null;
  let runner: EvalRunner | null = null;
  const ctrlC = new CtrlC(io);
  const setup = <T>(step: Promise<T>): Promise<T> => ctrlC.setup(step);
  try {
    // The demo models type at full speed here: an eval is about results, not about watching.
    if (usesDemo) demo = await setup(startDemoServer({ chunkDelayMs: 0 }));
    const contestants = await setup(resolveContestants(pairs, modes, config, demo?.baseUrl));
    const rt = await setup(prepareRuntime(config, (m) => io.err(m)));
    for (const c of contestants) io.err(`pair ${c.id}:\n  ${describeModel('A', c.models.A)}\n  ${describeModel('B', c.models.B)}`);
    io.err(describeRuntime(rt));
    await makeOutDir(dir);
    io.err(`tasks: ${taskSet.tasks.length} from ${taskSet.source === BUILTIN_TASKS ? 'the builtin set' : taskSet.source} (${taskSet.layouts.join(', ')}); results in ${dir}`);
    runner = new EvalRunner({
      dir,
      source: taskSet.source,
      tasks: taskSet.tasks,
      contestants,
      settings: {
        required: config.passes,
        maxTurns: config.maxTurns,
        cellTimeoutMs: config.cellTimeout * 1000,
        idleTimeoutMs: config.idleTimeout * 1000,
        firstTokenTimeoutMs: config.firstTokenTimeout * 1000,
        instructions: { ...(config.instructionsA !== undefined ? { A: config.instructionsA } : {}), ...(config.instructionsB !== undefined ? { B: config.instructionsB } : {}) },
        first: config.first,
      },
      runtime: { newKernel: kernelsFor(rt, startTimeout(config)), log: rt.log },
      concurrency: config.concurrency,
      serverConcurrency: config.serverConcurrency,
      onEvent: progressReporter(
        contestants.map((c) => c.id),
        (line) => io.err(line),
      ),
    });
    const started = runner;
    ctrlC.working(() => started.stop());
    const outcome = await runner.run();
    const table = scoreboardText(outcome.report);
    const reportPath = resolve(dir, REPORT_FILE);
    if (args.json) {
      io.err(`\n${table}\n`);
      io.out(`${JSON.stringify({ dir, html: reportPath, ran: outcome.ran, stopped: outcome.stopped, ...outcome.report })}\n`);
    } else {
      io.out(`\n${table}\n`);
    }
    // What this command asked for; an earlier, larger run in the same folder does not count.
    const judged = new Set(outcome.results.filter((r) => r.status === 'judged').map((r) => resultKey(r.contestant, r.task)));
    const asked = taskSet.tasks.flatMap((t) => contestants.map((c) => resultKey(c.id, t.id)));
    const left = asked.filter((key) => !judged.has(key)).length;
    const errors = outcome.results.filter((r) => r.status === 'error' && asked.includes(resultKey(r.contestant, r.task))).length;
    io.err(`\nreport: ${reportPath}`);
    if (outcome.stopped) io.err(`stopped: ${outcome.ran} task(s) finished this time and are kept; run the same command again to go on.`);
    else if (errors > 0) io.err(`${errors} run(s) ended in an error (see the table and results.jsonl); run the same command again to retry them.`);
    return left === 0 ? 0 : 1;
  } catch (err) {
    if (!(err instanceof SetupAbandoned)) throw err;
    io.err('stopped before the eval began: no task was run.');
    return 1;
  } finally {
    ctrlC.dispose();
    await demo?.close().catch(() => undefined);
  }
}

function checkModes(given: readonly string[], configured: RunMode): RunMode[] {
  if (given.length === 0) return [configured];
  const modes: RunMode[] = [];
  for (const m of given) {
    const mode = MODES.find((known) => known === m);
    if (mode === undefined) throw new ConfigError(`--mode must be relay or coder-tester (got "${m}").`);
    if (!modes.includes(mode)) modes.push(mode);
  }
  return modes;
}

async function readTasks(source: string, limit: number | undefined): Promise<TaskSet> {
  let set: TaskSet;
  try {
    set = await readTaskSet(source);
  } catch (err) {
    if (err instanceof TaskFileError) throw new ConfigError(err.message);
    throw err;
  }
  return limit === undefined ? set : { ...set, tasks: set.tasks.slice(0, limit) };
}

/** The folder must be one, or not exist yet. */
async function checkOutDir(dir: string): Promise<void> {
  const existing = await stat(dir).catch(() => null);
  if (existing && !existing.isDirectory()) throw new ConfigError(`--out ${dir} is a file; give a folder for the results, notebooks and report.`);
}

/** Created with its parents once the eval can start, so a wrong model id leaves nothing behind. */
async function makeOutDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new ConfigError(`Cannot create the results folder ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)}). Choose another --out.`);
  }
}

/**
 * Each pair in each mode, its models checked on their servers before any task
 * starts, so a wrong id fails at once and not halfway through.
 */
async function resolveContestants(pairs: readonly PairSpec[], modes: readonly RunMode[], config: DuetConfig, demoBaseUrl: string | undefined): Promise<Contestant[]> {
  const resolved: { text: string; models: Contestant['models'] }[] = [];
  if (pairs.length === 0) {
    const models = await resolveModels(config, demoBaseUrl);
    resolved.push({ text: `${models.A.id},${models.B.id}`, models });
  }
  for (const p of pairs) {
    const pairConfig = {
      ...config,
      modelA: p.A.id,
      modelB: p.B.id,
      ...(p.A.baseUrl !== undefined ? { baseUrlA: p.A.baseUrl } : {}),
      ...(p.B.baseUrl !== undefined ? { baseUrlB: p.B.baseUrl } : {}),
    };
    try {
      resolved.push({ text: p.text, models: await resolveModels(pairConfig, demoBaseUrl) });
    } catch (err) {
      // The demo ids are only served with --base-url demo (or demo#demo-a in the pair).
      const demoIds = [p.A, p.B].some((m) => DEMO_MODELS.some((id) => id === m.id) && m.baseUrl === undefined);
      if (err instanceof ConfigError && demoIds && demoBaseUrl === undefined) throw new ConfigError(`${err.message} For the built-in demo models, add --base-url demo.`);
      throw err;
    }
  }
  const contestants: Contestant[] = [];
  for (const r of resolved) for (const mode of modes) contestants.push({ id: contestantId(r.text, mode), pair: r.text, mode, models: r.models });
  const ids = contestants.map((c) => c.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new ConfigError(`The pair ${twice} is given twice; give each --pair once.`);
  return contestants;
}
