/**
 * The report's charts as SVG text: pass rates with their intervals, false-green
 * rates, and per-task distributions (turns, tokens) with the median marked.
 * Plain geometry, no scripts; the web app draws the same charts with React.
 */
import type { ContestantSummary } from '../protocol/evals.ts';
import { esc } from './html.ts';
import { count, interval, median, percent } from '../protocol/eval-figures.ts';

const LABEL_W = 220;
const PLOT_W = 420;
const VALUE_W = 130;
const ROW_H = 30;
const TOP = 10;
const AXIS_H = 24;
const WIDTH = LABEL_W + PLOT_W + VALUE_W;

const x = (fraction: number): number => LABEL_W + Math.max(0, Math.min(1, fraction)) * PLOT_W;
const f1 = (n: number): string => n.toFixed(1);

function frame(title: string, rows: number, body: string, axis: string): string {
  const height = TOP + rows * ROW_H + AXIS_H;
  return `<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title>${body}${axis}</svg>`;
}

function rowLabel(i: number, text: string): string {
  const y = TOP + i * ROW_H + ROW_H / 2;
  return `<text class="label" x="${LABEL_W - 8}" y="${f1(y)}" text-anchor="end" dominant-baseline="middle">${esc(text)}</text>`;
}

/** Ticks at 0, 25, 50, 75 and 100 % under a chart of `rows` rows. */
function percentAxis(rows: number): string {
  const y = TOP + rows * ROW_H;
  return [0, 0.25, 0.5, 0.75, 1]
    .map((t) => `<line class="grid" x1="${f1(x(t))}" x2="${f1(x(t))}" y1="${TOP}" y2="${y}"/><text class="tick" x="${f1(x(t))}" y="${y + 16}" text-anchor="middle">${Math.round(t * 100)}%</text>`)
    .join('');
}

/** Pass rate per contestant: a bar, and the 95% Wilson interval as a whisker across it. */
export function passRateChart(contestants: readonly ContestantSummary[]): string {
  const body = contestants
    .map((c, i) => {
      const top = TOP + i * ROW_H;
      const mid = top + ROW_H / 2;
      const rate = c.passRate ?? 0;
      const bar = `<rect class="bar" x="${LABEL_W}" y="${top + 6}" width="${f1(x(rate) - LABEL_W)}" height="${ROW_H - 12}"><title>${esc(`${c.id}: ${c.solved} of ${c.judged} solved`)}</title></rect>`;
      const ci = c.passInterval;
      const whisker = ci
        ? `<g class="interval"><line x1="${f1(x(ci.low))}" x2="${f1(x(ci.high))}" y1="${mid}" y2="${mid}"/><line x1="${f1(x(ci.low))}" x2="${f1(x(ci.low))}" y1="${mid - 6}" y2="${mid + 6}"/><line x1="${f1(x(ci.high))}" x2="${f1(x(ci.high))}" y1="${mid - 6}" y2="${mid + 6}"/></g>`
        : '';
      const value = `<text class="value" x="${LABEL_W + PLOT_W + 8}" y="${mid}" dominant-baseline="middle">${esc(`${percent(c.passRate)} (${interval(ci)})`)}</text>`;
      return rowLabel(i, c.id) + bar + whisker + value;
    })
    .join('');
  return frame('Pass rate by pair, with 95% intervals', contestants.length, body, percentAxis(contestants.length));
}

/** False-green rate per contestant: of the runs it claimed green, how many the hidden tests failed. */
export function falseGreenChart(contestants: readonly ContestantSummary[]): string {
  const body = contestants
    .map((c, i) => {
      const top = TOP + i * ROW_H;
      const rate = c.falseGreenRate ?? 0;
      const bar = `<rect class="bar false-green" x="${LABEL_W}" y="${top + 6}" width="${f1(x(rate) - LABEL_W)}" height="${ROW_H - 12}"><title>${esc(`${c.id}: ${c.falseGreens} of ${c.claimed} claimed runs failed the hidden tests`)}</title></rect>`;
      const value = `<text class="value" x="${LABEL_W + PLOT_W + 8}" y="${top + ROW_H / 2}" dominant-baseline="middle">${esc(c.claimed === 0 ? 'never claimed' : `${percent(c.falseGreenRate)} of ${c.claimed}`)}</text>`;
      return rowLabel(i, c.id) + bar + value;
    })
    .join('');
  return frame('False-green rate by pair', contestants.length, body, percentAxis(contestants.length));
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

/**
 * One row of dots per contestant, a dot per judged task, and the median as a
 * bar; dots of equal value are spread up and down so each one shows.
 */
export function distributionChart(title: string, contestants: readonly ContestantSummary[], values: (c: ContestantSummary) => readonly number[]): string {
  const top = niceMax(Math.max(0, ...contestants.flatMap((c) => [...values(c)])));
  const scale = (v: number): number => x(v / top);
  const body = contestants
    .map((c, i) => {
      const mid = TOP + i * ROW_H + ROW_H / 2;
      const seen = new Map<number, number>();
      const dots = values(c)
        .map((v) => {
          const n = seen.get(v) ?? 0;
          seen.set(v, n + 1);
          const dy = n === 0 ? 0 : (n % 2 === 1 ? -1 : 1) * Math.min(10, Math.ceil(n / 2) * 3);
          return `<circle class="dot" cx="${f1(scale(v))}" cy="${f1(mid + dy)}" r="3.5"><title>${esc(count(v))}</title></circle>`;
        })
        .join('');
      const m = median(values(c));
      const medianMark = m === null ? '' : `<line class="median" x1="${f1(scale(m))}" x2="${f1(scale(m))}" y1="${mid - 12}" y2="${mid + 12}"><title>median ${esc(count(m))}</title></line>`;
      const value = `<text class="value" x="${LABEL_W + PLOT_W + 8}" y="${mid}" dominant-baseline="middle">${esc(m === null ? '–' : `median ${count(m)}`)}</text>`;
      return rowLabel(i, c.id) + dots + medianMark + value;
    })
    .join('');
  const y = TOP + contestants.length * ROW_H;
  const axis = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => `<line class="grid" x1="${f1(x(t))}" x2="${f1(x(t))}" y1="${TOP}" y2="${y}"/><text class="tick" x="${f1(x(t))}" y="${y + 16}" text-anchor="middle">${esc(count(t * top))}</text>`)
    .join('');
  return frame(title, contestants.length, body, axis);
}
