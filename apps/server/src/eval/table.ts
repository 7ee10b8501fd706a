/** The scoreboard as plain text, for the end of `duet eval`. */
import type { EvalReport } from '../protocol/evals.ts';
import { comparisonSentence, count, duration, interval, percent } from '../protocol/eval-figures.ts';

/** The table of pairs, then one sentence per paired comparison. */
export function scoreboardText(report: EvalReport): string {
  const head = ['pair', 'mode', 'solved', 'pass rate (95%)', 'claimed', 'false green', 'med. turns', 'med. tokens', 'med. time', 'errors'];
  const rows = report.contestants.map((s) => [
    s.id,
    s.mode,
    `${s.solved}/${s.judged}`,
    `${percent(s.passRate)} (${interval(s.passInterval)})`,
    String(s.claimed),
    `${s.falseGreens} (${percent(s.falseGreenRate)})`,
    count(s.medianTurns),
    count(s.medianTokens),
    duration(s.medianWallMs),
    String(s.errors),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  if (report.comparisons.length > 0) out.push('', ...report.comparisons.map(comparisonSentence));
  return out.join('\n');
}

/** The same table in Markdown, for a README or an issue. */
export function scoreboardMarkdown(report: EvalReport): string {
  const head = ['pair', 'solved', 'pass rate (95% CI)', 'claimed green', 'false green', 'median turns', 'median tokens'];
  const rows = report.contestants.map((s) => [
    `\`${s.id}\``,
    `${s.solved}/${s.judged}`,
    `${percent(s.passRate)} (${interval(s.passInterval)})`,
    String(s.claimed),
    `${s.falseGreens} (${percent(s.falseGreenRate)})`,
    count(s.medianTurns),
    count(s.medianTokens),
  ]);
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
