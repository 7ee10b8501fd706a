/**
 * One line of `results.jsonl`: how one task went for one contestant. Read back
 * with the same schema, so a line written by another version of Duet, or cut
 * short by a crash, is skipped rather than trusted.
 */
import { z } from 'zod';

const count = z.number().int().min(0);
const ms = z.number().min(0);

const modelRef = z.object({ id: z.string(), baseUrl: z.string() });

/** What the run itself reported (the controller's summary). */
const runFacts = z.object({
  halted: z.string(),
  turns: count,
  passes: count,
  required: count,
  firstGreenMs: ms.nullable(),
  usage: z.object({ promptTokens: count, completionTokens: count }),
});

/** How the hidden tests went in the fresh kernel. */
const judgeFacts = z.object({
  /** `failed`: an assertion failed; `error`: another exception (often a name the code never defined); `timeout`: past the cell time limit. */
  verdict: z.enum(['passed', 'failed', 'error', 'timeout']),
  /** The exception's name and message, when the tests did not pass. */
  detail: z.string().nullable(),
  /** Code cells replayed before the tests, and how many of them raised. */
  replayed: count,
  replayErrors: count,
});

const common = {
  v: z.literal(1),
  task: z.string(),
  /** The contestant's id: the pair as given, `@mode` unless relay. */
  contestant: z.string(),
  pair: z.string(),
  mode: z.enum(['relay', 'coder-tester']),
  models: z.object({ A: modelRef, B: modelRef }),
  /** From the start of the task to its result, judging included. */
  wallMs: ms,
  /** Time in the model servers (and waiting for them) and in the kernels, within `wallMs`. */
  timing: z.object({ modelMs: ms, queueMs: ms, kernelMs: ms }),
  /** The run's notebook, relative to the eval folder. */
  notebook: z.string().nullable(),
  finishedAt: z.string(),
};

export const taskResultSchema = z.discriminatedUnion('status', [
  z.object({
    ...common,
    status: z.literal('judged'),
    /** The models' own required tests went green. */
    claimed: z.boolean(),
    /** The hidden tests passed. */
    solved: z.boolean(),
    run: runFacts,
    judge: judgeFacts,
  }),
  z.object({
    ...common,
    status: z.literal('error'),
    /** Where it failed: setting up (kernel, models), the run (a model server error), or judging. */
    stage: z.enum(['setup', 'run', 'judge']),
    error: z.string(),
    run: runFacts.nullable(),
  }),
]);

/** One task's result for one contestant. */
export type TaskResult = z.infer<typeof taskResultSchema>;
export type JudgedResult = Extract<TaskResult, { status: 'judged' }>;
export type ErrorResult = Extract<TaskResult, { status: 'error' }>;
export type RunFacts = z.infer<typeof runFacts>;
export type JudgeFacts = z.infer<typeof judgeFacts>;
export type JudgeVerdict = JudgeFacts['verdict'];

/** The key a result is found by: one per contestant and task. */
export function resultKey(contestant: string, task: string): string {
  return `${contestant}\u0000${task}`;
}

/** The latest result of each contestant and task: a rerun's line replaces an earlier error. */
export function latestResults(results: readonly TaskResult[]): Map<string, TaskResult> {
  const latest = new Map<string, TaskResult>();
  for (const r of results) latest.set(resultKey(r.contestant, r.task), r);
  return latest;
}
