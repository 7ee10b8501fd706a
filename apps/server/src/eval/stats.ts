/**
 * The statistics of a scoreboard, small enough to keep in view: the Wilson score
 * interval of a pass rate, medians, and the exact sign test (exact McNemar) for
 * two contestants on the same tasks.
 */
import type { Interval } from '../protocol/evals.ts';

/** The normal quantile of a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/**
 * The Wilson score interval of `successes` out of `n`: unlike the plain
 * p ± z·√(p(1−p)/n), it stays inside [0, 1] and is honest for small n and for
 * rates near 0 or 1, which is where small task sets live. Null when n is 0.
 */
export function wilsonInterval(successes: number, n: number, z = Z95): Interval | null {
  if (n <= 0) return null;
  if (successes < 0 || successes > n) throw new RangeError(`wilsonInterval: ${successes} successes out of ${n}`);
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // Rounding must not put an end a hair outside [0, 1] (or past p at 0 or n successes).
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}


/**
 * Two-sided exact sign test: of `onlyA + onlyB` tasks that exactly one of two
 * contestants solved, how surprising a split at least this uneven would be if
 * each were equally likely to be the one (Binomial(n, ½)). This is the exact
 * McNemar test; tasks both or neither solved carry no information about which is better.
 */
export function signTestP(onlyA: number, onlyB: number): number {
  const n = onlyA + onlyB;
  if (n === 0) return 1;
  const k = Math.min(onlyA, onlyB);
  // log C(n, i) + n·log ½, summed in log space so large n does not underflow.
  const logs: number[] = [];
  let logTerm = -n * Math.LN2;
  logs.push(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i);
    logs.push(logTerm);
  }
  const top = Math.max(...logs);
  const tail = Math.exp(top) * logs.reduce((sum, l) => sum + Math.exp(l - top), 0);
  return Math.min(1, 2 * tail);
}
