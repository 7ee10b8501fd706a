/**
 * An eval's scoreboard as JSON: what `duet eval --json` prints, what
 * `GET /api/evals/NAME` answers and what the browser draws its charts from.
 * Types only.
 */

/** How the models share the work in one contestant's runs. */
export type EvalMode = 'relay' | 'coder-tester';

/**
 * How one task ended for one contestant.
 * `solved`: the hidden tests passed. `false-green`: the models' own tests went green
 * but the hidden tests failed. `unsolved`: neither. `error`: the run could not be
 * judged (a model server or kernel failure).
 */
export type TaskOutcome = 'solved' | 'false-green' | 'unsolved' | 'error';

/** A 95% confidence interval of a proportion, both ends between 0 and 1. */
export interface Interval {
  low: number;
  high: number;
}

/** One pair of models in one mode, and how it did. */
export interface ContestantSummary {
  /** `A,B` as given to `--pair`, with `@mode` unless the mode is relay. */
  id: string;
  pair: string;
  mode: EvalMode;
  models: { A: string; B: string };
  /** Tasks with a result, errors included. */
  done: number;
  /** Tasks judged by the hidden tests. */
  judged: number;
  solved: number;
  /** Runs that ended with the models' own required tests green. */
  claimed: number;
  /** Claimed, and the hidden tests failed. */
  falseGreens: number;
  errors: number;
  /** `solved / judged`, null before any task was judged. */
  passRate: number | null;
  /** Wilson score interval of the pass rate. */
  passInterval: Interval | null;
  /** `falseGreens / claimed`: how often the pair's own green tests were wrong; null when it never claimed. */
  falseGreenRate: number | null;
  medianTurns: number | null;
  /** Prompt and completion tokens of a task. */
  medianTokens: number | null;
  medianWallMs: number | null;
  medianFirstGreenMs: number | null;
  /** Per judged task, in task order, for the distributions. */
  turns: number[];
  tokens: number[];
}

/** Two contestants on the tasks both had judged: which solved what the other did not. */
export interface PairedComparison {
  a: string;
  b: string;
  /** Tasks judged for both. */
  tasks: number;
  both: number;
  onlyA: number;
  onlyB: number;
  neither: number;
  /** Two-sided exact sign test (exact McNemar) on `onlyA` against `onlyB`. */
  p: number;
}

/** One contestant's result on one task. */
export interface TaskCell {
  outcome: TaskOutcome;
  turns: number | null;
  wallMs: number;
  /** The run's notebook, relative to the eval folder. */
  notebook: string | null;
  /** Why the hidden tests failed, or the error. */
  detail: string | null;
}

/** One task and every contestant's result on it. */
export interface TaskRow {
  id: string;
  prompt: string;
  /** Keyed by contestant id; absent while not run yet. */
  cells: Record<string, TaskCell>;
}

/** The whole scoreboard of one eval folder. */
export interface EvalReport {
  name: string;
  /** The task file, or `builtin`. */
  source: string;
  createdAt: string;
  updatedAt: string;
  settings: { passes: number; maxTurns: number };
  /** Task × contestant runs in the plan, and how many have a result. */
  total: number;
  done: number;
  contestants: ContestantSummary[];
  comparisons: PairedComparison[];
  tasks: TaskRow[];
}

/** One row of `GET /api/evals`. */
export interface EvalListEntry {
  name: string;
  /** When its results last changed. */
  modified: string;
  source: string;
  contestants: string[];
  total: number;
  done: number;
}
