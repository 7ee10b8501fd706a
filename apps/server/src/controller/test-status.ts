/**
 * When a test cell counts as green: it ran without error and holds at least one
 * `assert`. A test without assertions proves nothing, so it never counts.
 */
import type { ExecuteResult, NbOutput } from '@duet/kernel';
import type { TestStatus } from '../protocol/notebook.ts';

/** True when some line of code (not a comment, not inside a string on that line) starts an assert. */
export function hasAssert(source: string): boolean {
  return /^[ \t]*(?:[^#'"\n]*[:;][ \t]*)?assert\b/m.test(source);
}

/** Errors that mean the sandbox refused something, not that the code is wrong. */
export function isBlocked(outputs: readonly NbOutput[]): boolean {
  return outputs.some((o) => o.output_type === 'error' && (/\bDuet blocks\b/.test(o.evalue) || o.ename === 'InputRejected'));
}

export function testStatusFor(source: string, result: ExecuteResult, outputs: readonly NbOutput[]): TestStatus {
  if (result.status === 'ok') return hasAssert(source) ? 'passed' : 'not-run';
  if (isBlocked(outputs)) return 'blocked';
  if (result.status === 'aborted') return 'not-run';
  return result.ename === 'AssertionError' ? 'failed' : 'error';
}
