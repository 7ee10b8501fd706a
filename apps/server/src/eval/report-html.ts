/**
 * `DIR/report.html`: the scoreboard as one self-contained page — inline CSS and
 * SVG, no script, nothing fetched (its content security policy forbids it) — with
 * each task linked to its notebook in the folder.
 */
import type { ContestantSummary, EvalReport, TaskOutcome } from '../protocol/evals.ts';
import { comparisonSentence, count, duration, interval, percent, pValue } from '../protocol/eval-figures.ts';
import { esc, fileHref } from './html.ts';
import { distributionChart, falseGreenChart, passRateChart } from './svg-charts.ts';

/** Nothing may load or run: styles inline, images only as data. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const OUTCOME_WORDS: Record<TaskOutcome, string> = { solved: 'solved', 'false-green': 'false green', unsolved: 'unsolved', error: 'error' };

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1d2430;background:#fff}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}
.meta{color:#5a6474;margin:0}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border-bottom:1px solid #e3e7ee;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{font-weight:600;background:#f6f8fb}
td:first-child,th:first-child{white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.chart{max-width:100%;height:auto;display:block;margin:.5rem 0}
.chart .label,.chart .value,.chart .tick{font-size:12px;fill:#1d2430}
.chart .tick{fill:#5a6474}
.chart .grid{stroke:#e3e7ee}
.chart .bar{fill:#4c7bd9}
.chart .bar.false-green{fill:#d9822b}
.chart .interval line{stroke:#1d2430;stroke-width:1.5}
.chart .dot{fill:#4c7bd9;fill-opacity:.7}
.chart .median{stroke:#1d2430;stroke-width:2.5}
.outcome{display:inline-block;border-radius:3px;padding:0 .4rem;font-size:12px;white-space:nowrap}
.outcome.solved{background:#dff3e4;color:#17622e}
.outcome.false-green{background:#fde8d4;color:#8a4510}
.outcome.unsolved{background:#f1f3f6;color:#4a5361}
.outcome.error{background:#fbe1e1;color:#8f1d1d}
.outcome.pending{color:#9aa3b0}
a .outcome{text-decoration:underline}
.sentence{margin:.25rem 0}
.note{color:#5a6474;font-size:12px}
`;

/** The whole page. */
export function renderReportHtml(report: EvalReport): string {
  const c = report.contestants;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(REPORT_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`Duet eval: ${report.name}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(`Duet eval: ${report.name}`)}</h1>
<p class="meta">${esc(`Tasks: ${report.source} · ${report.done} of ${report.total} runs done · ${report.settings.passes} green tests end a run, at most ${report.settings.maxTurns} turns · updated ${report.updatedAt}`)}</p>
<h2>Pairs</h2>
${summaryTable(c)}
<p class="note">Solved: the task's hidden tests, which the models never saw, pass after the run's code is replayed in a fresh kernel. Claimed: the run's own tests went green. False green: claimed, and the hidden tests failed. Intervals are 95% Wilson score intervals; errors (a model server or kernel failure) are not counted in the rates.</p>
<h2>Pass rate</h2>
${passRateChart(c)}
<h2>False-green rate</h2>
${falseGreenChart(c)}
<h2>Turns per task</h2>
${distributionChart('Turns per judged task', c, (s) => s.turns)}
<h2>Tokens per task</h2>
${distributionChart('Prompt and completion tokens per judged task', c, (s) => s.tokens)}
<h2>Paired comparison</h2>
${comparisons(report)}
<h2>Tasks</h2>
${taskTable(report)}
</body>
</html>
`;
}

function summaryTable(contestants: readonly ContestantSummary[]): string {
  const rows = contestants
    .map(
      (s) =>
        `<tr><td>${esc(s.id)}</td><td>${esc(s.mode)}</td><td class="num">${s.solved} / ${s.judged}</td><td class="num">${esc(`${percent(s.passRate)} (${interval(s.passInterval)})`)}</td>` +
        `<td class="num">${s.claimed}</td><td class="num">${esc(`${s.falseGreens} (${percent(s.falseGreenRate)})`)}</td><td class="num">${esc(count(s.medianTurns))}</td>` +
        `<td class="num">${esc(count(s.medianTokens))}</td><td class="num">${esc(duration(s.medianWallMs))}</td><td class="num">${esc(duration(s.medianFirstGreenMs))}</td><td class="num">${s.errors}</td></tr>`,
    )
    .join('\n');
  return `<table class="summary"><thead><tr><th>pair</th><th>mode</th><th>solved</th><th>pass rate (95%)</th><th>claimed</th><th>false green</th><th>median turns</th><th>median tokens</th><th>median time</th><th>median first green</th><th>errors</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

function comparisons(report: EvalReport): string {
  if (report.comparisons.length === 0) return '<p class="note">One pair only: run two or more with --pair to compare them.</p>';
  const sentences = report.comparisons.map((cmp) => `<p class="sentence">${esc(comparisonSentence(cmp))}</p>`).join('\n');
  const rows = report.comparisons
    .map(
      (cmp) =>
        `<tr><td>${esc(cmp.a)}</td><td>${esc(cmp.b)}</td><td class="num">${cmp.tasks}</td><td class="num">${cmp.both}</td><td class="num">${cmp.onlyA}</td><td class="num">${cmp.onlyB}</td><td class="num">${cmp.neither}</td><td class="num">${esc(pValue(cmp.p))}</td></tr>`,
    )
    .join('\n');
  return `${sentences}
<table class="comparisons"><thead><tr><th>A</th><th>B</th><th>tasks</th><th>both solved</th><th>only A</th><th>only B</th><th>neither</th><th>p (exact McNemar)</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

function taskTable(report: EvalReport): string {
  const head = report.contestants.map((c) => `<th>${esc(c.id)}</th>`).join('');
  const rows = report.tasks
    .map((t) => {
      const cells = report.contestants
        .map((c) => {
          const cell = t.cells[c.id];
          if (!cell) return '<td><span class="outcome pending">not run</span></td>';
          const badge = `<span class="outcome ${cell.outcome}">${esc(OUTCOME_WORDS[cell.outcome])}</span>`;
          const title = [cell.turns === null ? null : `${cell.turns} turns`, duration(cell.wallMs), cell.detail].filter((p) => p !== null).join(' · ');
          const linked = cell.notebook === null ? badge : `<a href="${esc(fileHref(cell.notebook))}">${badge}</a>`;
          return `<td title="${esc(title)}">${linked}</td>`;
        })
        .join('');
      return `<tr><td title="${esc(t.prompt)}">${esc(t.id)}</td>${cells}</tr>`;
    })
    .join('\n');
  return `<table class="tasks"><thead><tr><th>task</th>${head}</tr></thead>
<tbody>
${rows}
</tbody></table>`;
}
