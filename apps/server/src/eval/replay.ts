/**
 * `duet replay`: a notebook's code and test cells run again, in order, in a fresh
 * sandboxed kernel, and each test that passed in the notebook must pass again. A
 * test that passed only thanks to something no longer in the notebook (a deleted
 * cell, a variable set by hand, cells run out of order) fails here.
 */
import { hasAssert, type CellOutcome } from '../controller/index.ts';
import type { NotebookDocument } from '../notebook/index.ts';
import type { NotebookCell, TestStatus } from '../protocol/notebook.ts';
import { replayInFreshKernel, type FreshKernelOptions } from './fresh-kernel.ts';
import { verdictOf } from './judge.ts';

/** One test before and after the replay. */
export interface ReplayedTest {
  id: string;
  /** Its position among the notebook's cells, from 1. */
  cell: number;
  /** Its first line, to recognise it by. */
  firstLine: string;
  /** What the notebook says (for a notebook without Duet's metadata: whether the cell ran without an error). */
  recorded: TestStatus;
  now: TestStatus;
  /** Why it did not pass now. */
  detail: string | null;
}

export interface ReplayReport {
  /** Code and test cells run. */
  replayed: number;
  tests: ReplayedTest[];
  /** Tests the notebook records as passed. */
  expected: number;
  /** Of those, how many passed again. */
  confirmed: number;
  /** True when there was something to confirm and all of it was. */
  ok: boolean;
}

/** Replays `doc` in a fresh kernel. The document's outputs and test statuses become the replay's. */
export async function replayNotebook(doc: NotebookDocument, opts: FreshKernelOptions): Promise<ReplayReport> {
  const runnable = doc.cells.filter((c) => c.cellType === 'code' && (c.duet.role === 'code' || c.duet.role === 'test') && !c.duet.note?.startsWith('Not run'));
  // A notebook from elsewhere has no test cells: its cells with an assert stand in for them.
  const marked = runnable.some((c) => c.duet.role === 'test');
  const isTest = (c: NotebookCell): boolean => (marked ? c.duet.role === 'test' : hasAssert(c.source));
  const recorded = new Map(runnable.filter(isTest).map((c) => [c.id, marked ? (c.duet.test?.status ?? 'not-run') : plainStatus(c)] as const));
  const { outcomes } = await replayInFreshKernel(
    doc,
    runnable.map((c) => c.id),
    opts,
  );
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const tests: ReplayedTest[] = [];
  for (const [id, before] of recorded) {
    const outcome = byId.get(id);
    const now = outcome ? statusNow(outcome, marked) : 'not-run';
    const cell = doc.cell(id);
    tests.push({
      id,
      cell: doc.indexOf(id) + 1,
      firstLine: (cell?.source.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 100),
      recorded: before,
      now,
      detail: now === 'passed' || !outcome ? null : verdictOf(outcome).detail,
    });
  }
  const expected = tests.filter((t) => t.recorded === 'passed');
  const confirmed = expected.filter((t) => t.now === 'passed').length;
  return { replayed: runnable.length, tests, expected: expected.length, confirmed, ok: expected.length > 0 && confirmed === expected.length };
}

/** For a cell of a plain notebook: passed when it ran and shows no error. */
function plainStatus(c: NotebookCell): TestStatus {
  if (c.outputs.some((o) => o.output_type === 'error')) return 'failed';
  return c.executionCount === null ? 'not-run' : 'passed';
}

function statusNow(o: CellOutcome, marked: boolean): TestStatus {
  if (marked && o.testStatus !== undefined) return o.testStatus;
  if (o.status === 'ok') return 'passed';
  if (o.status === 'not-run') return 'not-run';
  return o.error?.ename === 'AssertionError' ? 'failed' : 'error';
}
