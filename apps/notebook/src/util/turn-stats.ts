/**
 * What each model turn cost, from the notebook's record of its runs, in the
 * words the turn's badge shows once the run is over.
 */
import type { DuetCellMeta, NotebookCell, RunRecord, TurnStats } from '@duet/server/protocol';
import { formatSeconds } from './durations.ts';

const numbers = new Intl.NumberFormat('en-US');

/** The record of the turn that wrote `duet`, or undefined for cells no recorded turn wrote. */
export function turnStatsFor(runs: readonly RunRecord[], duet: DuetCellMeta): TurnStats | undefined {
  if (duet.run === undefined || duet.model === null) return undefined;
  return runs[duet.run]?.turns.find((t) => t.turn === duet.turn && t.model === duet.model);
}

/** `12.3 s · 1,234 → 456 tokens`: the turn's time, then the tokens it read and wrote. */
export function turnStatsLabel(stats: TurnStats): string {
  return `${formatSeconds(stats.ms)} · ${numbers.format(stats.promptTokens)} → ${numbers.format(stats.completionTokens)} tokens`;
}

/** The same in a sentence, for the badge's hover text and screen readers. */
export function turnStatsTitle(stats: TurnStats): string {
  return (
    `Turn ${stats.turn} of model ${stats.model}: ${formatSeconds(stats.ms)} from the request to the last token; ` +
    `the prompt was ${numbers.format(stats.promptTokens)} tokens, the answer ${numbers.format(stats.completionTokens)}.`
  );
}

/** A key shared by the cells of one model turn: run, turn and model. */
function turnKey(duet: DuetCellMeta): string | null {
  return duet.run === undefined || duet.model === null ? null : `${duet.run}:${duet.turn}:${duet.model}`;
}

/**
 * The label for the first cell of each recorded turn, by cell id: a turn's cost
 * is said once, on the badge where the turn begins, not on each of its cells.
 */
export function turnLabelsByCell(cells: readonly NotebookCell[], runs: readonly RunRecord[]): Map<string, { label: string; title: string }> {
  const labels = new Map<string, { label: string; title: string }>();
  const seen = new Set<string>();
  for (const cell of cells) {
    const key = turnKey(cell.duet);
    if (key === null || seen.has(key)) continue;
    seen.add(key);
    const stats = turnStatsFor(runs, cell.duet);
    if (stats) labels.set(cell.id, { label: turnStatsLabel(stats), title: turnStatsTitle(stats) });
  }
  return labels;
}
