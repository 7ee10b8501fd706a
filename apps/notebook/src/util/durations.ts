/** Durations as the page shows them. */

/** `1.2 s`, `1 m 05 s`: a cell's run, where tenths matter. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return minutesAndSeconds(s);
}

/** `12 s`, `1 m 05 s`: a wait, where tenths would only flicker. */
export function formatWholeSeconds(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${Math.floor(s)} s`;
  return minutesAndSeconds(s);
}

function minutesAndSeconds(s: number): string {
  const m = Math.floor(s / 60);
  return `${m} m ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
}
