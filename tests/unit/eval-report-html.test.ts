import { describe, expect, it } from 'vitest';
import { buildReport, niceMax, renderReportHtml, REPORT_CSP, scoreboardMarkdown, scoreboardText } from '@duet/server';
import { judged, manifest } from '../support/eval-fixtures.ts';

const HOSTILE = '<img src=x onerror=alert(1)>,b';

function report() {
  return buildReport('nightly', manifest(3, ['a,b', HOSTILE]), [
    judged('a,b', 't1', { solved: true }),
    judged('a,b', 't2', { solved: false, claimed: true }),
    judged('a,b', 't3', { solved: false, claimed: false }),
    judged(HOSTILE, 't1', { solved: true }),
  ]);
}

describe('report.html', () => {
  const html = renderReportHtml(report());

  it('runs nothing and loads nothing: no script, no external address, a policy that forbids both', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP.replaceAll("'", '&#39;')}">`);
    expect(REPORT_CSP).toMatch(/default-src 'none'/);
  });

  it('escapes what models and task files name', () => {
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;,b');
  });

  it('draws a bar and an interval per pair, and a dot per judged task', () => {
    expect(html.match(/<rect class="bar"/g)).toHaveLength(2);
    expect(html.match(/<g class="interval">/g)).toHaveLength(2);
    // Turns and tokens: one dot per judged task in each chart.
    expect(html.match(/<circle class="dot"/g)).toHaveLength(2 * 4);
  });

  it('links each task to its notebook, each path segment encoded', () => {
    expect(html).toContain('href="notebooks/a%2Cb/t1.ipynb"');
    expect(html).toContain('false green');
    expect(html).toContain('not run');
  });
});

describe('the scoreboard as text', () => {
  it('has a row per pair and the paired comparison in words', () => {
    const text = scoreboardText(report());
    expect(text.split('\n')[0]).toMatch(/^pair\s+mode\s+solved\s+pass rate \(95%\)/);
    expect(text).toMatch(/a,b\s+relay\s+1\/3\s+33% \(6–79%\)\s+2\s+1 \(50%\)/);
    expect(text).toContain('solved the same 1 of 1 tasks');
  });

  it('and as a Markdown table', () => {
    expect(scoreboardMarkdown(report()).split('\n')).toHaveLength(4);
  });
});

describe('chart axes', () => {
  it.each([
    { max: 0, top: 4 },
    { max: 3, top: 4 },
    { max: 4, top: 4 },
    { max: 5, top: 8 },
    { max: 9, top: 20 },
    { max: 1320, top: 2000 },
    { max: 2790, top: 4000 },
  ])('reach $max with whole ticks at $top', ({ max, top }) => {
    expect(niceMax(max)).toBe(top);
    expect(Number.isInteger(niceMax(max) / 4)).toBe(true);
  });
});
