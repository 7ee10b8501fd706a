import { describe, expect, it } from 'vitest';
import { useE2eHarness } from '../support/e2e-harness.ts';
import { eventually, NotebookPageModel, textNow } from '../support/e2e-page.ts';

// A file of its own: it stops the harness's model server, which the other files' runs need.
const h = useE2eHarness();

describe('a run the server refuses', () => {
  it('keeps the typed request and says why, when the model server cannot be reached', async () => {
    // Nothing answers at the configured model URL, so the server cannot pick the run's models.
    await h.models.close();
    const page = await h.openNotebook('refused');
    const nb = new NotebookPageModel(page);
    await page.getByTestId('model-unreachable').waitFor();
    const prompt = 'Write is_even(n) and test it.';
    const box = page.getByLabel('Prompt', { exact: true });
    await box.fill(prompt);

    await nb.button('Send').click();

    const refusal = page.getByTestId('run-refused');
    await eventually(() => textNow(refusal)).toContain('The run did not start:');
    // The server's own reason, with its way out.
    expect(await textNow(refusal)).toContain('pick the demo models');
    expect(await box.inputValue()).toBe(prompt);
    expect(await nb.button('Send').isDisabled()).toBe(false);
    expect(await nb.cells('Request').count()).toBe(0);
    // Said once, beside the kept text, not again as a notice.
    expect(await page.getByText('The run did not start:').count()).toBe(1);
    expect(await textNow(page.locator('.banner', { hasText: 'pick the demo models' }))).toBeNull();

  });
});
