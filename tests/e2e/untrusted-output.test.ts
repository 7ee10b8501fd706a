import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useE2eHarness } from '../support/e2e-harness.ts';
import { eventually, NotebookPageModel, textNow } from '../support/e2e-page.ts';

const h = useE2eHarness();

const pwned = (page: Page): Promise<unknown> => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);

describe('untrusted content in the page', () => {
  it('keeps script in model markdown and kernel HTML or SVG inert', async () => {
    const prompt = 'Show me some HTML.';
    const code = [
      'from IPython.display import HTML, SVG, display',
      `display(HTML('<p id="from-kernel">kernel html</p><script>window.__pwned = 4</script><img src="x" onerror="window.__pwned = 5">'))`,
      `display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" onload="window.__pwned = 6"><script>window.__pwned = 7</script><rect width="40" height="40" fill="teal"/></svg>'))`,
    ].join('\n');
    h.answer(prompt, [
      {
        type: 'content',
        text: [
          'Careful with <img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script> in here.',
          '',
          'Also a [link](javascript:window.__pwned=3) to click.',
          '',
          'RUN-CODE',
          '```python',
          code,
          '```',
          '',
        ].join('\n'),
      },
    ]);
    // The server's content security policy would block inline script by itself, and so
    // hide a sanitizer that let it through: the page ignores it here.
    const page = await h.openNotebook('untrusted', { bypassCsp: true });
    const nb = new NotebookPageModel(page);

    // Control: with the policy ignored, an event handler that reaches this page's DOM does run.
    await page.evaluate(() => {
      const img = document.createElement('img');
      img.setAttribute('onerror', 'window.__control = 1');
      img.src = 'x-missing';
      document.body.append(img);
    });
    await eventually(() => page.evaluate(() => (window as unknown as { __control?: number }).__control)).toBe(1);

    await nb.send(prompt, { maxTurns: 1 });
    await eventually(() => textNow(nb.halted)).toBe('Turn limit reached');

    const prose = nb.cell('Text cell', 'Careful with');
    const cell = nb.cell('Code cell', 'from IPython.display');
    await eventually(() => textNow(cell.locator('#from-kernel'))).toBe('kernel html');
    const svg = cell.getByRole('img', { name: 'SVG output' });
    await eventually(() => svg.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(40);
    // Every image has loaded or failed, so any onerror or onload has had its chance to fire.
    await eventually(() => page.evaluate(() => Array.from(document.images).every((img) => img.complete))).toBe(true);
    await prose.getByText('link').click();
    expect(await pwned(page)).toBeUndefined();

    // Raw HTML in model markdown is shown as text, not parsed; the javascript: link is not a link.
    expect(await textNow(prose)).toContain('<img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script>');
    expect(await prose.locator('img, script, [onerror], a[href^="javascript:" i]').count()).toBe(0);
    expect(await cell.locator('.outputs script, .outputs [onerror], .outputs [onload]').count()).toBe(0);
    expect(h.exchangesFor(prompt)).toHaveLength(1);
  });

  it('shows a 300,000-line output collapsed and stays responsive', async () => {
    const prompt = 'Print a lot of numbers.';
    h.answer(prompt, [{ type: 'content', text: "RUN-CODE\n```python\nprint('\\n'.join(map(str, range(300000))))\n```\n" }]);
    const nb = new NotebookPageModel(await h.openNotebook('long-output'));
    await nb.send(prompt, { maxTurns: 1 });
    await eventually(() => textNow(nb.halted)).toBe('Turn limit reached');

    const output = nb.cell('Code cell', "print('\\n'.join").locator('.outputs');
    await eventually(() => textNow(output)).toContain('299,750 more lines hidden');
    const shown = await output.locator('pre').allTextContents();
    expect(shown.join('').split('\n').filter(Boolean)).toHaveLength(250);
    expect(shown[0]?.startsWith('0\n1\n2\n')).toBe(true);
    expect(shown.at(-1)?.trimEnd().endsWith('299998\n299999')).toBe(true);

    // The page still handles input: a click opens the results cell, and the prompt box takes typing.
    const results = nb.cells('Execution results').locator('details');
    await results.locator('summary').click();
    await eventually(() => results.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    await nb.page.getByLabel('Prompt', { exact: true }).fill('still typing');
    expect(await nb.page.getByLabel('Prompt', { exact: true }).inputValue()).toBe('still typing');

    // "Show all" shows more, still bounded.
    await output.getByRole('button', { name: 'Show all' }).click();
    await eventually(() => textNow(output)).toContain('Showing the first 20,000 of 300,000 lines');
    expect(await output.getByRole('button', { name: 'Collapse' }).count()).toBe(1);
  });
});
