/**
 * An eval's figures in words, and the median they are built on: the same in the
 * terminal table, the progress line, the HTML report and the browser's
 * scoreboard. Pure code with no imports, so the browser bundles it too.
 */
import type { Interval, PairedComparison } from './evals.ts';


/** `0.4167` → `42%`; null → `–`. */
export function percent(rate: number | null): string {
  return rate === null ? '–' : `${Math.round(rate * 100)}%`;
}

/** `42–81%`. */
export function interval(i: Interval | null): string {
  return i === null ? '–' : `${Math.round(i.low * 100)}–${Math.round(i.high * 100)}%`;
}

/** A p-value to two significant figures, and `< 0.001` below that. */
export function pValue(p: number): string {
  if (p < 0.001) return '< 0.001';
  if (p >= 0.995) return '1';
  return p.toPrecision(2).replace(/\.?0+$/, '');
}

/** `1.2 s`, `3 m 05 s`; null → `–`. */
export function duration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} m`;
}

/** A count with thousands separated; null → `–`. */
export function count(n: number | null): string {
  return n === null ? '–' : Math.round(n).toLocaleString('en-US');
}

/** "B solved 9 tasks A did not, and lost 2 (exact McNemar p = 0.065)", from the side that solved more. */
export function comparisonSentence(c: PairedComparison): string {
  if (c.tasks === 0) return `${c.a} and ${c.b} have no judged task in common yet.`;
  if (c.onlyA === 0 && c.onlyB === 0) return `${c.a} and ${c.b} solved the same ${c.both} of ${c.tasks} tasks.`;
  const [winner, loser, won, lost] = c.onlyB > c.onlyA ? [c.b, c.a, c.onlyB, c.onlyA] : [c.a, c.b, c.onlyA, c.onlyB];
  return `${winner} solved ${won} ${won === 1 ? 'task' : 'tasks'} ${loser} did not, and lost ${lost} (exact McNemar p = ${pValue(c.p)}, ${c.tasks} tasks).`;
}

/** The median, or null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
