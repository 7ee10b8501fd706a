/**
 * An eval task: what the models are asked, and the hidden tests that judge the
 * code they wrote. The models never see the tests.
 */

export interface EvalTask {
  /** Unique within its task set; names the task's notebook. */
  id: string;
  /** The request the models get, as a person would type it. */
  prompt: string;
  /** Python that must run without an error after the run's code cells. */
  test: string;
  /** The function HumanEval-style tests hand to `check(candidate)`. */
  entryPoint?: string;
  /** A known-good answer, for checking the task itself; never used in a run. */
  solution?: string;
}

/**
 * The code the judge runs after the replayed cells: the task's test, and for
 * HumanEval-style tests (a `check(candidate)` function and an entry point) the
 * call that makes it check something.
 */
export function hiddenTestCode(task: EvalTask): string {
  const { test, entryPoint } = task;
  if (entryPoint === undefined || !/^def check\s*\(/m.test(test)) return test;
  // A test file that already calls check(...) at the top level is left as it is.
  if (/^check\s*\(/m.test(test)) return test;
  return `${test.replace(/\s*$/, '')}\n\n\ncheck(${entryPoint})\n`;
}
