/** The geometry the scoreboard's charts share: a label column, the plot, a value column, one row per pair. */
import type { ReactNode } from 'react';

export const LABEL_W = 220;
export const PLOT_W = 420;
export const VALUE_W = 140;
export const ROW_H = 30;
const TOP = 10;
const AXIS_H = 24;
const WIDTH = LABEL_W + PLOT_W + VALUE_W;

/** The x of a fraction of the plot's width, kept inside it. */
export const plotX = (fraction: number): number => LABEL_W + Math.max(0, Math.min(1, fraction)) * PLOT_W;
/** The vertical middle of row `i`. */
export const rowMid = (i: number): number => TOP + i * ROW_H + ROW_H / 2;

interface ChartFrameProps {
  title: string;
  labels: readonly string[];
  /** Tick labels at 0, ¼, ½, ¾ and the whole of the plot. */
  ticks: readonly string[];
  children: ReactNode;
}

/** An SVG with a title, row labels, grid lines and the tick labels under them. */
export function ChartFrame({ title, labels, ticks, children }: ChartFrameProps) {
  const height = TOP + labels.length * ROW_H + AXIS_H;
  const bottom = TOP + labels.length * ROW_H;
  return (
    <svg className="sb-chart" role="img" aria-label={title} viewBox={`0 0 ${WIDTH} ${height}`} width={WIDTH} height={height}>
      <title>{title}</title>
      {ticks.map((t, i) => {
        const x = plotX(i / (ticks.length - 1));
        return (
          <g key={i}>
            <line className="sb-grid" x1={x} x2={x} y1={TOP} y2={bottom} />
            <text className="sb-tick" x={x} y={bottom + 16} textAnchor="middle">
              {t}
            </text>
          </g>
        );
      })}
      {labels.map((label, i) => (
        <text key={label} className="sb-label" x={LABEL_W - 8} y={rowMid(i)} textAnchor="end" dominantBaseline="middle">
          {label}
        </text>
      ))}
      {children}
    </svg>
  );
}

/** The figure to the right of a row. */
export function RowValue({ row, children }: { row: number; children: ReactNode }) {
  return (
    <text className="sb-value" x={LABEL_W + PLOT_W + 8} y={rowMid(row)} dominantBaseline="middle">
      {children}
    </text>
  );
}

export const PERCENT_TICKS = ['0%', '25%', '50%', '75%', '100%'];
