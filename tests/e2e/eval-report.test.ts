/**
 * report.html as a person opens it: straight from the disk in Chromium, with every
 * request the page makes refused and recorded, so anything it tried to fetch shows.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { buildReport, writeReportFile } from '@duet/server';
import { errored, judged, manifest, writeEvalFolder } from '../support/eval-fixtures.ts';

let browser: Browser | null = null;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close();
});

describe('report.html', () => {
  it('draws its charts and links its notebooks without a single request leaving the page', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duet-report-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const m = manifest(4, ['a,b', 'a,a']);
    const results = [
      judged('a,b', 't1', { solved: true, turns: 1, tokens: 800 }),
      judged('a,b', 't2', { solved: true, turns: 2, tokens: 1500 }),
      judged('a,b', 't3', { solved: false, claimed: true, turns: 4, tokens: 3000 }),
      judged('a,a', 't1', { solved: true, turns: 2, tokens: 900 }),
      judged('a,a', 't2', { solved: false, claimed: false, turns: 4, tokens: 2500 }),
      errored('a,a', 't3'),
    ];
    await writeEvalFolder(dir, m, results);
    const path = await writeReportFile(dir, buildReport('nightly', m, results));
    const url = pathToFileURL(path).href;

    const context = await (browser as Browser).newContext();
    onTestFinished(() => context.close());
    const page = await context.newPage();
    const left: string[] = [];
    // The page itself may load; anything else it asks for is refused and remembered.
    await page.route('**/*', (route) => {
      const asked = route.request().url();
      if (asked === url) return route.continue();
      left.push(asked);
      return route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);

    const passRate = page.getByRole('img', { name: 'Pass rate by pair, with 95% intervals' });
    const bars = passRate.locator('rect.bar');
    expect(await bars.count()).toBe(2);
    // Drawn to scale: a,b solved 2 of 3, a,a 1 of 2, so a,b's bar is longer.
    const [ab, aa] = await bars.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
    expect(ab).toBeGreaterThan(aa as number);
    expect(aa).toBeGreaterThan(0);
    expect(await passRate.locator('g.interval').count()).toBe(2);
    expect(await page.getByRole('img', { name: 'False-green rate by pair' }).locator('rect.bar').count()).toBe(2);
    expect(await page.getByRole('img', { name: 'Turns per judged task' }).locator('circle.dot').count()).toBe(5);
    expect(await page.getByRole('img', { name: 'Prompt and completion tokens per judged task' }).locator('line.median').count()).toBe(2);
    expect(await page.getByText('a,b solved 1 task a,a did not, and lost 0').count()).toBe(1);

    // Each task's outcome links to its notebook in the folder.
    const link = page.getByRole('link', { name: 'false green' });
    const target = new URL((await link.getAttribute('href')) as string, url);
    expect(target.href).toBe(pathToFileURL(join(dir, 'notebooks/a,b/t3.ipynb')).href.replace(',', '%2C'));
    expect(existsSync(decodeURIComponent(target.pathname))).toBe(true);

    expect(left).toEqual([]);
    expect(errors).toEqual([]);
  });
});
