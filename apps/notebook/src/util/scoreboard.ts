/**
 * The scoreboard in words and numbers: its address in the page, figures as the
 * report shows them, and chart scales. Pure, so it is unit-tested.
 */
import type { PairedComparison } from '@duet/server/protocol';

const PREFIX = '/scoreboard';

/** `#/scoreboard` → the list; `#/scoreboard/NAME` → that eval; anything else → null. Notebook names never hold a slash. */
export function scoreboardRoute(hash: string): { name: string | null } | null {
  let raw: string;
  try {
    raw = decodeURIComponent(hash.replace(/^#/, ''));
  } catch {
    return null;
  }
  if (raw === PREFIX || raw === `${PREFIX}/`) return { name: null };
  if (!raw.startsWith(`${PREFIX}/`)) return null;
  return { name: raw.slice(PREFIX.length + 1) };
}

/** The hash of the scoreboard, or of one eval on it. */
export function scoreboardHash(name: string | null): string {
  return name === null ? `#${PREFIX}` : `#${PREFIX}/${encodeURIComponent(name)}`;
}

/** `0.4167` → `42%`; null → `–`. */
export function percent(rate: number | null): string {
  return rate === null ? '–' : `${Math.round(rate * 100)}%`;
}

/** `42–81%`. */
export function interval(i: { low: number; high: number } | null): string {
  return i === null ? '–' : `${Math.round(i.low * 100)}–${Math.round(i.high * 100)}%`;
}

/** A p-value to two significant figures, `< 0.001` below that. */
export function pValue(p: number): string {
  if (p < 0.001) return '< 0.001';
  if (p >= 0.995) return '1';
  return p.toPrecision(2).replace(/\.?0+$/, '');
}

/** A count with thousands separated; null → `–`. */
export function count(n: number | null): string {
  return n === null ? '–' : Math.round(n).toLocaleString('en-US');
}

/** "B solved 9 tasks A did not, and lost 2 (p = 0.065)", from the side that solved more. */
export function comparisonSentence(c: PairedComparison): string {
  if (c.tasks === 0) return `${c.a} and ${c.b} have no judged task in common yet.`;
  if (c.onlyA === 0 && c.onlyB === 0) return `${c.a} and ${c.b} solved the same ${c.both} of ${c.tasks} tasks.`;
  const [winner, loser, won, lost] = c.onlyB > c.onlyA ? [c.b, c.a, c.onlyB, c.onlyA] : [c.a, c.b, c.onlyA, c.onlyB];
  return `${winner} solved ${won} ${won === 1 ? 'task' : 'tasks'} ${loser} did not, and lost ${lost} (exact McNemar p = ${pValue(c.p)}, ${c.tasks} tasks).`;
}

/**
 * The top of an axis of counts that must reach `max`, with four equal steps
 * between round numbers (1, 2 or 5 times a power of ten, never below 1), so every tick is a whole number.
 */
export function niceMax(max: number): number {
  const quarter = Math.max(1, max / 4);
  const magnitude = 10 ** Math.floor(Math.log10(quarter));
  const step = [1, 2, 5, 10].find((s) => s * magnitude >= quarter) ?? 10;
  return 4 * step * magnitude;
}

/** The median, or null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Up-and-down offsets for dots of equal value, so each one shows: 0, −3, 3, −6, 6 … (at most 10). */
export function spreadOffsets(values: readonly number[]): number[] {
  const seen = new Map<number, number>();
  return values.map((v) => {
    const n = seen.get(v) ?? 0;
    seen.set(v, n + 1);
    return n === 0 ? 0 : (n % 2 === 1 ? -1 : 1) * Math.min(10, Math.ceil(n / 2) * 3);
  });
}

/** A name for the copy of a task's notebook opened in the notebook list: a plain file name the server accepts. */
export function copyName(evalName: string, task: string, contestant: string): string {
  const clean = (s: string): string => s.replace(/[/\\<>:"|?*\u0000-\u001f\u007f%]+/g, '-');
  return clean(`${evalName} ${task} ${contestant}`).slice(0, 120).replace(/^[.\s-]+/, '').replace(/[.\s]+$/, '') || 'eval-task';
}
