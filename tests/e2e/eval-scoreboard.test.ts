/**
 * The scoreboard in the web app: the eval folders in the notebooks folder, their
 * charts drawn by the app from the server's JSON, and a task's notebook opened.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useE2eHarness } from '../support/e2e-harness.ts';
import { eventually, textNow } from '../support/e2e-page.ts';
import { judged, manifest, writeEvalFolder } from '../support/eval-fixtures.ts';

const h = useE2eHarness();

describe('the scoreboard', () => {
  it('lists the evals it finds, draws one with its charts, and opens a task’s notebook', async () => {
    const m = manifest(3, ['a,b', 'a,a']);
    await writeEvalFolder(join(h.notebooksDir, 'nightly'), m, [
      judged('a,b', 't1', { solved: true }),
      judged('a,b', 't2', { solved: true }),
      judged('a,b', 't3', { solved: false, claimed: true }),
      judged('a,a', 't1', { solved: true }),
      judged('a,a', 't2', { solved: false }),
    ]);

    const page = await h.openPage('/scoreboard');
    await page.getByRole('link', { name: 'nightly' }).first().click();

    const board = page.getByRole('main', { name: 'Scoreboard' });
    const passRate = board.getByRole('img', { name: 'Pass rate by pair, with 95% intervals' });
    await passRate.waitFor();
    expect(await passRate.locator('rect.sb-bar').count()).toBe(2);
    expect(await passRate.locator('g.sb-interval').count()).toBe(2);
    expect(await board.getByRole('img', { name: 'Turns per judged task' }).locator('circle.sb-dot').count()).toBe(5);
    expect((await board.getByRole('table', { name: 'Pairs' }).locator('tbody tr').first().locator('td').allTextContents()).slice(0, 6)).toEqual(['a,b', 'relay', '2 / 3', '67% (21–94%)', '3', '1 (33%)']);
    expect(await textNow(board.locator('.sb-sentence'))).toBe('a,b solved 1 task a,a did not, and lost 0 (exact McNemar p = 1, 2 tasks).');
    // a,a has not run t3 yet.
    expect(await board.getByRole('table', { name: 'Tasks' }).locator('tbody tr').nth(2).locator('td').allTextContents()).toEqual(['t3', 'false green', 'not run']);

    await board.getByRole('button', { name: 'Open the notebook of t3 by a,b: false green' }).click();
    const notebook = page.getByRole('main', { name: 'Notebook nightly t3 a,b' });
    await notebook.waitFor();
    await eventually(() => textNow(notebook.locator('[data-role="code"]'))).toContain('a,b wrote this for t3');
  });
});
