/** A live clock: a running cell's, or a wait's. Ticks on its own so what surrounds it does not re-render. */
import { useEffect, useState } from 'react';
import { formatSeconds } from '../util/durations.ts';

/** Time since `since` (epoch ms), updated ten times a second, in `format`'s words. */
export function Elapsed({ since, format = formatSeconds }: { since: number; format?: (ms: number) => string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, []);
  return <span className="elapsed">{format(Math.max(0, now - since))}</span>;
}
