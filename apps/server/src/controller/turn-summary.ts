/**
 * One line per turn, standing in for the whole turn once it is folded to save
 * context: who wrote it, what ran and how it ended, with the first line of an
 * error — what a model needs to avoid repeating a mistake.
 */
import type { ModelSlot } from '../protocol/notebook.ts';
import type { CellOutcome } from './types.ts';

/** Longest summary line; the error excerpt is cut to fit. */
export const SUMMARY_LINE_MAX = 240;

export interface TurnFacts {
  slot: ModelSlot;
  turn: number;
  outcomes: readonly CellOutcome[];
  /** Set when the answer had code but nothing runnable (a format slip). */
  slip?: string;
}

export function summarizeTurn(facts: TurnFacts): string {
  const { slot, turn, outcomes } = facts;
  const head = `Turn ${turn}, model ${slot}:`;
  if (outcomes.length === 0) return fit(`${head} ${facts.slip ?? 'no RUN-CODE or TEST-ASSERT block, nothing ran'}.`);
  const parts: string[] = [];
  const code = outcomes.filter((o) => o.kind === 'code');
  if (code.length > 0) {
    const failed = code.filter((o) => o.status !== 'ok').length;
    parts.push(`${code.length} code cell${code.length === 1 ? '' : 's'}${failed === 0 ? ' ran' : `, ${failed} failed`}`);
  }
  const tests = outcomes.filter((o) => o.kind === 'test');
  if (tests.length > 0) {
    const counts = new Map<string, number>();
    for (const t of tests) counts.set(t.testStatus ?? 'not-run', (counts.get(t.testStatus ?? 'not-run') ?? 0) + 1);
    parts.push(`tests ${[...counts].map(([status, n]) => `${n} ${status}`).join(', ')}`);
  }
  const error = outcomes.map((o) => (o.status === 'ok' && o.testStatus !== 'failed' ? '' : lastLine(o.text))).find((l) => l !== '');
  return fit(`${head} ${parts.join('; ')}${error ? ` (${error})` : ''}.`);
}

/** The last non-blank line of a cell's output: for an error, its `Name: message` line. */
function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.at(-1) ?? '';
}

function fit(line: string): string {
  return line.length <= SUMMARY_LINE_MAX ? line : `${line.slice(0, SUMMARY_LINE_MAX - 1)}…`;
}
