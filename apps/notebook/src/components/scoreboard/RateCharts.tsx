/** Pass rate per pair with its 95% interval, and the false-green rate: bars on a 0–100 % axis. */
import type { ContestantSummary } from '@duet/server/protocol';
import { interval, percent } from '../../util/scoreboard.ts';
import { ChartFrame, PERCENT_TICKS, ROW_H, RowValue, plotX, rowMid } from './chart-frame.tsx';

const BAR_INSET = 6;

function Bar({ row, rate, className, tip }: { row: number; rate: number; className: string; tip: string }) {
  const x0 = plotX(0);
  return (
    <rect className={className} x={x0} y={rowMid(row) - ROW_H / 2 + BAR_INSET} width={plotX(rate) - x0} height={ROW_H - 2 * BAR_INSET}>
      <title>{tip}</title>
    </rect>
  );
}

/** Bars of the pass rate, the Wilson interval as a whisker across each. */
export function PassRateChart({ contestants }: { contestants: readonly ContestantSummary[] }) {
  return (
    <ChartFrame title="Pass rate by pair, with 95% intervals" labels={contestants.map((c) => c.id)} ticks={PERCENT_TICKS}>
      {contestants.map((c, i) => {
        const mid = rowMid(i);
        const ci = c.passInterval;
        return (
          <g key={c.id}>
            <Bar row={i} rate={c.passRate ?? 0} className="sb-bar" tip={`${c.id}: ${c.solved} of ${c.judged} solved`} />
            {ci && (
              <g className="sb-interval">
                <line x1={plotX(ci.low)} x2={plotX(ci.high)} y1={mid} y2={mid} />
                <line x1={plotX(ci.low)} x2={plotX(ci.low)} y1={mid - 6} y2={mid + 6} />
                <line x1={plotX(ci.high)} x2={plotX(ci.high)} y1={mid - 6} y2={mid + 6} />
              </g>
            )}
            <RowValue row={i}>{`${percent(c.passRate)} (${interval(ci)})`}</RowValue>
          </g>
        );
      })}
    </ChartFrame>
  );
}

/** Of the runs a pair claimed green, the share the hidden tests failed. */
export function FalseGreenChart({ contestants }: { contestants: readonly ContestantSummary[] }) {
  return (
    <ChartFrame title="False-green rate by pair" labels={contestants.map((c) => c.id)} ticks={PERCENT_TICKS}>
      {contestants.map((c, i) => (
        <g key={c.id}>
          <Bar row={i} rate={c.falseGreenRate ?? 0} className="sb-bar sb-false-green" tip={`${c.id}: ${c.falseGreens} of ${c.claimed} claimed runs failed the hidden tests`} />
          <RowValue row={i}>{c.claimed === 0 ? 'never claimed' : `${percent(c.falseGreenRate)} of ${c.claimed}`}</RowValue>
        </g>
      ))}
    </ChartFrame>
  );
}
