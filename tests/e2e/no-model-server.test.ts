import { describe, expect, it } from 'vitest';
import { useE2eHarness } from '../support/e2e-harness.ts';
import { eventually, NotebookPageModel, textNow } from '../support/e2e-page.ts';

const h = useE2eHarness();

describe('a newcomer with no model server', () => {
  it('is told plainly that nothing answers at the URL, and reaches two green tests with the demo models', async () => {
    // Nothing listens at the configured model URL any more.
    await h.models.close();
    const page = await h.openNotebook('first-steps');
    const nb = new NotebookPageModel(page);

    const banner = page.getByTestId('model-unreachable');
    await eventually(() => textNow(banner)).toContain('Could not reach the model server at');
    // The server's message names the URL once, not twice.
    expect(((await banner.innerText()).match(/reach the model server/g) ?? []).length).toBe(1);

    await nb.button('Use the demo models').click();
    await eventually(() => page.getByLabel('Model A', { exact: true }).inputValue()).toBe('demo-a');
    await eventually(() => page.getByLabel('Model B', { exact: true }).inputValue()).toBe('demo-b');
    await page.getByLabel('Prompt', { exact: true }).fill('Write a fibonacci function');
    await nb.button('Send').click();

    // demo-a's first test fails; demo-b fixes it and adds two that pass.
    await eventually(() => nb.cells('Test cell').getByTestId('test-status').allInnerTexts()).toEqual(['failed', 'passed', 'passed']);
    await eventually(() => textNow(nb.halted)).toBe('Tests passed');
    expect(await nb.cells('Reasoning').count()).toBeGreaterThan(0);
  });
});
