/**
 * The judge: a run's code cells replayed in order in a fresh sandboxed kernel,
 * then the task's hidden tests. The task is solved when the tests run through.
 */
import { assertNever } from '../util/assert-never.ts';
import type { CellOutcome } from '../controller/index.ts';
import { NotebookDocument } from '../notebook/index.ts';
import { replayInFreshKernel, type FreshKernelOptions } from './fresh-kernel.ts';
import type { JudgeFacts } from './result.ts';

/** The longest detail kept of a failure. */
const DETAIL_MAX = 400;

/** Replays `code` and then runs `tests`, each as its own cell, in a fresh kernel. */
export async function judgeCode(code: readonly string[], tests: string, opts: FreshKernelOptions): Promise<JudgeFacts> {
  const doc = new NotebookDocument('judge');
  const add = (source: string): string => doc.addCell({ cellType: 'code', source, duet: { role: 'code', model: null, turn: 0 } }).id;
  const ids = code.map(add);
  // A code cell, not a test cell: the hidden tests pass when they run through, asserts or not.
  const testId = add(tests);
  const { outcomes } = await replayInFreshKernel(doc, [...ids, testId], opts);
  const testOutcome = outcomes.at(-1) as CellOutcome;
  const replayErrors = outcomes.slice(0, -1).filter((o) => o.status !== 'ok').length;
  return { ...verdictOf(testOutcome), replayed: ids.length, replayErrors };
}

/** The verdict on the hidden tests' cell, and what went wrong in words. */
export function verdictOf(outcome: CellOutcome): Pick<JudgeFacts, 'verdict' | 'detail'> {
  switch (outcome.status) {
    case 'ok':
      return { verdict: 'passed', detail: null };
    case 'timeout':
      return { verdict: 'timeout', detail: 'the hidden tests ran past the cell time limit' };
    case 'died':
      return { verdict: 'error', detail: 'the kernel died while the hidden tests ran' };
    case 'not-run':
      return { verdict: 'error', detail: 'the hidden tests did not run' };
    case 'error': {
      const failed = outcome.error?.ename === 'AssertionError';
      return { verdict: failed ? 'failed' : 'error', detail: failureDetail(outcome) };
    }
    default:
      return assertNever(outcome.status, 'cell status');
  }
}

/** `AssertionError at: assert f(2) == 3`, or the exception and its message. */
function failureDetail(outcome: CellOutcome): string {
  const ename = outcome.error?.ename ?? 'Error';
  const evalue = outcome.error?.evalue ?? '';
  // IPython marks the failing line with an arrow: `----> 7 assert f(2) == 3`.
  const lines = [...outcome.text.matchAll(/^-+>\s*\d+\s+(.*)$/gm)].map((m) => (m[1] ?? '').trim());
  const at = lines.at(-1);
  const said = evalue ? `${ename}: ${evalue}` : ename;
  const text = at ? `${said} at: ${at}` : said;
  return text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX - 1)}…` : text;
}
