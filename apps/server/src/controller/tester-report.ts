/**
 * What the coder is told in coder-tester mode after the tester's tests ran
 * against its code: each failing test with its source and the error, so the
 * coder can see what is expected without ever having been shown the tests.
 */
import { cutToBudget, CELL_TEXT_BUDGET, FEEDBACK_BUDGET } from './feedback.ts';
import type { CellOutcome } from './types.ts';

/** One of the tester's tests after a run: its source and how it went. */
export interface TestRun {
  source: string;
  outcome: CellOutcome;
}

export function testerReport(coder: string, tester: string, runs: readonly TestRun[]): string {
  const passed = runs.filter((r) => r.outcome.testStatus === 'passed').length;
  const lines = [`Model ${tester}'s tests against model ${coder}'s code: ${passed} of ${runs.length} passed.`];
  runs.forEach((r, i) => {
    const status = r.outcome.testStatus ?? 'not-run';
    if (status === 'passed') {
      lines.push(`\n[test ${i + 1}] passed`);
      return;
    }
    const word = status === 'failed' ? 'FAILED' : status === 'error' ? 'raised an error' : status === 'blocked' ? 'was blocked by the sandbox' : 'did not run';
    lines.push(`\n[test ${i + 1}] ${word}:\n\`\`\`python\n${cutToBudget(r.source, CELL_TEXT_BUDGET)}\n\`\`\``);
    const text = r.outcome.text.trim();
    if (text !== '') lines.push(cutToBudget(text, CELL_TEXT_BUDGET));
  });
  return cutToBudget(lines.join('\n'), FEEDBACK_BUDGET);
}
