/** A dot per judged task, one row per pair, with the median marked: how turns or tokens spread. */
import type { ContestantSummary } from '@duet/server/protocol';
import { count, median, niceMax, spreadOffsets } from '../../util/scoreboard.ts';
import { ChartFrame, RowValue, plotX, rowMid } from './chart-frame.tsx';

interface DistributionChartProps {
  title: string;
  contestants: readonly ContestantSummary[];
  values: (c: ContestantSummary) => readonly number[];
}

export function DistributionChart({ title, contestants, values }: DistributionChartProps) {
  const top = niceMax(Math.max(0, ...contestants.flatMap((c) => [...values(c)])));
  const x = (v: number): number => plotX(v / top);
  return (
    <ChartFrame title={title} labels={contestants.map((c) => c.id)} ticks={[0, 0.25, 0.5, 0.75, 1].map((t) => count(t * top))}>
      {contestants.map((c, i) => {
        const mid = rowMid(i);
        const vs = values(c);
        const offsets = spreadOffsets(vs);
        const m = median(vs);
        return (
          <g key={c.id}>
            {vs.map((v, j) => (
              <circle key={j} className="sb-dot" cx={x(v)} cy={mid + (offsets[j] ?? 0)} r={3.5}>
                <title>{count(v)}</title>
              </circle>
            ))}
            {m !== null && (
              <line className="sb-median" x1={x(m)} x2={x(m)} y1={mid - 12} y2={mid + 12}>
                <title>{`median ${count(m)}`}</title>
              </line>
            )}
            <RowValue row={i}>{m === null ? '–' : `median ${count(m)}`}</RowValue>
          </g>
        );
      })}
    </ChartFrame>
  );
}
