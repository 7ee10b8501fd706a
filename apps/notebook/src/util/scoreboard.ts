/**
 * The scoreboard in words and numbers: its address in the page, figures as the
 * report shows them (shared with the server), and chart scales. Pure, so it is unit-tested.
 */
// The figures in words are the server's own, so the page says what the terminal and the report say.
export { comparisonSentence, count, interval, median, percent, pValue } from '@duet/server/protocol';

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
