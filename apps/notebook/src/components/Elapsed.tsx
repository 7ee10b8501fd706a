/** A running cell's clock. Ticks on its own so the cell around it does not re-render. */
import { useEffect, useState } from 'react';

/** Seconds since `since` (epoch ms), updated ten times a second. */
export function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, []);
  return <span className="elapsed">{formatSeconds(Math.max(0, now - since))}</span>;
}

/** `1.2 s`, `1 m 05 s`. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} m ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
}
