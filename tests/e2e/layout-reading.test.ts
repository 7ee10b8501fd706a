import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { contrastFailures, marked } from '../support/e2e-conversation.ts';
import { useE2eHarness } from '../support/e2e-harness.ts';
import { eventually, NotebookPageModel, textNow } from '../support/e2e-page.ts';

const h = useE2eHarness();

/** An answer with a bit of everything the page draws: reasoning, rich markdown, output on both streams, a traceback in colour, a test of each outcome. */
const RICH_ANSWER = marked({
  prose: [
    '## The plan',
    '',
    'Write `area(r)` with **two** checks; see [the docs](https://docs.python.org/3/library/math.html).',
    '',
    '> Circles are round.',
    '',
    '| r | area |',
    '| --- | --- |',
    '| 1 | 3.14 |',
    '',
    '- first',
    '- second',
  ].join('\n'),
  code: "import math, sys\n\ndef area(r):\n    # pi r squared\n    return math.pi * r ** 2\n\nprint('to stdout', area(1))\nprint('to stderr', file=sys.stderr)",
  tests: ['assert round(area(1), 2) == 3.14', 'assert area(2) == 4, "off by pi"'],
});

/** The y of each toolbar button's top edge, rounded: one value means one row. */
function toolbarRows(page: Page): Promise<number> {
  return page
    .getByRole('toolbar', { name: 'Notebook' })
    .getByRole('button')
    .evaluateAll((els) => new Set(els.map((e) => Math.round(e.getBoundingClientRect().top))).size);
}

describe('reading the page', () => {
  it('keeps every text at 4.5:1 contrast or more, in the light theme and the dark one', async () => {
    const prompt = 'Write area(r) and show everything.';
    h.answer(prompt, [{ type: 'reasoning', text: 'Area is pi r squared.' }, { type: 'content', text: RICH_ANSWER }]);
    const nb = new NotebookPageModel(await h.openNotebook('contrast'));
    const page = nb.page;
    await nb.send(prompt, { maxTurns: 2 });
    // Model B's turn has no scripted answer: the run ends with a model error, its banner and Continue/Retry.
    await eventually(() => textNow(nb.halted)).toBe('Model error');
    await eventually(() => nb.cells('Test cell').getByTestId('test-status').allInnerTexts()).toEqual(['passed', 'failed']);
    await eventually(() => textNow(nb.cell('Code cell', 'def area(r):'))).toContain('to stderr');
    // A stale test, the start of a new conversation, the instructions and a context meter opened.
    await nb.retype(nb.cell('Code cell', 'def area(r):'), 'import math\ndef area(r):\n    return math.pi * r * r');
    await page.keyboard.press('Control+Enter');
    await eventually(() => nb.cells('Test cell').getByTestId('test-status').allInnerTexts()).toContain('stale');
    await nb.button('New conversation').click();
    await eventually(() => page.getByTestId('conversation-start').count()).toBe(1);
    await page.getByRole('button', { name: /^Instructions/ }).click();
    await page.getByTestId('context-A').click();
    await nb.cells('Reasoning').locator('summary').click();

    expect(await contrastFailures(page)).toEqual([]);

    await page.getByRole('button', { name: 'Dark mode' }).click();
    await eventually(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await page.getByRole('button', { name: 'Dark mode' }).getAttribute('aria-pressed')).toBe('true');
    expect(await contrastFailures(page)).toEqual([]);
  });

  it('follows the system’s dark setting until the toggle says otherwise, and remembers the toggle', async () => {
    const page = await h.openNotebook('dark-system');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.getByTestId('kernel-status').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');

    await page.getByRole('button', { name: 'Dark mode' }).click();
    await eventually(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.reload();
    await page.getByTestId('kernel-status').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
  });

  it('opens with the prompt box focused', async () => {
    const page = await h.openNotebook('focused');
    await eventually(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Prompt');
  });
});

describe('the layout', () => {
  it('fits the toolbar in one row at 800 px, with the notebook list folded away until asked for', async () => {
    const page = await h.openNotebook('narrow');
    await page.setViewportSize({ width: 800, height: 800 });
    await page.reload();
    await page.getByRole('main', { name: 'Notebook narrow' }).getByTestId('kernel-status').waitFor();

    // A narrow window starts with the list folded.
    const list = page.getByRole('navigation', { name: 'Notebooks' });
    expect(await list.count()).toBe(0);
    expect(await toolbarRows(page)).toBe(1);
    expect(await page.getByRole('toolbar', { name: 'Notebook' }).evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    // Every action keeps its whole name for assistive technology.
    for (const name of ['Stop generation', 'Run all', 'Interrupt kernel', 'Restart kernel', 'New conversation', 'Collapse all outputs', 'Download .ipynb']) {
      expect(await page.getByRole('button', { name, exact: true }).count()).toBe(1);
    }

    await page.getByRole('button', { name: 'Notebooks', exact: true }).click();
    await eventually(() => list.count()).toBe(1);
    expect(await toolbarRows(page)).toBe(1);
    await list.getByRole('button', { name: 'Hide notebooks' }).click();
    await eventually(() => list.count()).toBe(0);
  });

  it('gives the prompt and the cells one readable width on a 2560 px screen', async () => {
    const prompt = 'Write wide(x).';
    h.answer(prompt, [{ type: 'content', text: marked({ code: 'def wide(x):\n    return x', tests: ['assert wide(1) == 1'] }) }]);
    const nb = new NotebookPageModel(await h.openNotebook('wide'));
    await nb.page.setViewportSize({ width: 2560, height: 1200 });
    await nb.send(prompt, { maxTurns: 1 });
    await eventually(() => textNow(nb.halted)).toBe('Turn limit reached');

    const cell = await nb.cells('Code cell').first().boundingBox();
    const promptRow = await nb.page.locator('.prompt-row').boundingBox();
    expect(cell && promptRow).toBeTruthy();
    if (!cell || !promptRow) return;
    expect(promptRow.width).toBeLessThanOrEqual(1040);
    expect(Math.abs(promptRow.x - cell.x)).toBeLessThanOrEqual(1);
    expect(Math.abs(promptRow.width - cell.width)).toBeLessThanOrEqual(1);
  });
});
