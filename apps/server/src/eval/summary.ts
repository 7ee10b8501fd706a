/**
 * The scoreboard from the results: per contestant the pass rate with its
 * interval, the false-green rate and the medians; for every two contestants the
 * paired comparison on the tasks both had judged; per task each contestant's outcome.
 */
import type { ContestantSummary, EvalReport, PairedComparison, TaskCell, TaskOutcome, TaskRow } from '../protocol/evals.ts';
import type { EvalManifest, ManifestContestant } from './manifest.ts';
import { latestResults, resultKey, type JudgedResult, type TaskResult } from './result.ts';
import { median } from '../protocol/eval-figures.ts';
import { signTestP, wilsonInterval } from './stats.ts';

/** How a result counts on the scoreboard. */
export function outcomeOf(result: TaskResult): TaskOutcome {
  if (result.status === 'error') return 'error';
  if (result.solved) return 'solved';
  return result.claimed ? 'false-green' : 'unsolved';
}

/** The scoreboard of an eval folder named `name`. Only the manifest's tasks and contestants count. */
export function buildReport(name: string, manifest: EvalManifest, results: readonly TaskResult[]): EvalReport {
  const latest = latestResults(results);
  const resultOf = (contestant: string, task: string): TaskResult | undefined => latest.get(resultKey(contestant, task));
  const contestants = manifest.contestants.map((c) => summarize(c, manifest.tasks.map((t) => resultOf(c.id, t.id))));
  const comparisons: PairedComparison[] = [];
  manifest.contestants.forEach((a, i) => {
    for (const b of manifest.contestants.slice(i + 1)) {
      comparisons.push(compare(a.id, b.id, manifest.tasks.map((t) => [resultOf(a.id, t.id), resultOf(b.id, t.id)] as const)));
    }
  });
  const tasks: TaskRow[] = manifest.tasks.map((t) => {
    const cells: Record<string, TaskCell> = {};
    for (const c of manifest.contestants) {
      const r = resultOf(c.id, t.id);
      if (r) cells[c.id] = cellOf(r);
    }
    return { id: t.id, prompt: t.prompt, cells };
  });
  return {
    name,
    source: manifest.source,
    createdAt: manifest.createdAt,
    updatedAt: manifest.updatedAt,
    settings: manifest.settings,
    total: manifest.tasks.length * manifest.contestants.length,
    done: contestants.reduce((sum, c) => sum + c.done, 0),
    contestants,
    comparisons,
    tasks,
  };
}

function summarize(c: ManifestContestant, results: readonly (TaskResult | undefined)[]): ContestantSummary {
  const done = results.filter((r): r is TaskResult => r !== undefined);
  const judged = done.filter((r): r is JudgedResult => r.status === 'judged');
  const solved = judged.filter((r) => r.solved).length;
  const claimed = judged.filter((r) => r.claimed).length;
  const falseGreens = judged.filter((r) => r.claimed && !r.solved).length;
  const turns = judged.map((r) => r.run.turns);
  const tokens = judged.map((r) => r.run.usage.promptTokens + r.run.usage.completionTokens);
  const firstGreens = judged.flatMap((r) => (r.run.firstGreenMs === null ? [] : [r.run.firstGreenMs]));
  return {
    id: c.id,
    pair: c.pair,
    mode: c.mode,
    models: c.models,
    done: done.length,
    judged: judged.length,
    solved,
    claimed,
    falseGreens,
    errors: done.length - judged.length,
    passRate: judged.length === 0 ? null : solved / judged.length,
    passInterval: wilsonInterval(solved, judged.length),
    falseGreenRate: claimed === 0 ? null : falseGreens / claimed,
    medianTurns: median(turns),
    medianTokens: median(tokens),
    medianWallMs: median(judged.map((r) => r.wallMs)),
    medianFirstGreenMs: median(firstGreens),
    turns,
    tokens,
  };
}

/** Paired on tasks judged for both; a task either one lacks, or that errored, says nothing about which is better. */
export function compare(a: string, b: string, pairs: readonly (readonly [TaskResult | undefined, TaskResult | undefined])[]): PairedComparison {
  let both = 0;
  let onlyA = 0;
  let onlyB = 0;
  let neither = 0;
  for (const [ra, rb] of pairs) {
    if (ra?.status !== 'judged' || rb?.status !== 'judged') continue;
    if (ra.solved && rb.solved) both += 1;
    else if (ra.solved) onlyA += 1;
    else if (rb.solved) onlyB += 1;
    else neither += 1;
  }
  return { a, b, tasks: both + onlyA + onlyB + neither, both, onlyA, onlyB, neither, p: signTestP(onlyA, onlyB) };
}

function cellOf(r: TaskResult): TaskCell {
  const outcome = outcomeOf(r);
  const detail = r.status === 'error' ? r.error : r.solved ? null : r.judge.detail;
  return { outcome, turns: r.run?.turns ?? null, wallMs: r.wallMs, notebook: r.notebook, detail };
}
