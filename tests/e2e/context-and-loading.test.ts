import { describe, expect, it } from 'vitest';
import { useE2eHarness } from '../support/e2e-harness.ts';
import { eventually, gate, NotebookPageModel, textNow } from '../support/e2e-page.ts';

const h = useE2eHarness();

describe('waiting on a model, its context use, and the person’s own instructions', () => {
  it('says the model is reading the prompt until its first token, then shows each model’s context meter, and sends the instructions typed for A to A only', async () => {
    const prompt = 'Write add(a, b), and keep me waiting for it.';
    const instructionsA = 'Name every helper with the prefix duet_helper_.';
    const firstToken = gate();
    h.answer(
      prompt,
      [
        { type: 'wait', until: firstToken.promise },
        { type: 'content', text: 'Adding.\n\nRUN-CODE\n```python\ndef add(a, b):\n    return a + b\n```\n\nTEST-ASSERT\n```python\nassert add(2, 3) == 5\n```\n' },
      ],
      [{ type: 'content', text: 'One more check.\n\nTEST-ASSERT\n```python\nassert add(-1, 1) == 0\n```\n' }],
    );
    const nb = new NotebookPageModel(await h.openNotebook('context-and-loading'));
    const page = nb.page;

    // The instructions are folded away until asked for, one field per model.
    const toggle = page.getByRole('button', { name: /Instructions/ });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    await page.getByLabel('Instructions for model A', { exact: true }).fill(instructionsA);
    expect(await page.getByLabel('Instructions for model B', { exact: true }).inputValue()).toBe('');
    // Folded or not, the toggle says which models have instructions.
    expect(await textNow(toggle)).toBe('▾ Instructions · set for A');

    await nb.send(prompt);

    // Asked and silent: the page names the model and counts the seconds.
    await eventually(() => textNow(nb.runStatus)).toMatch(/^Model A is reading the prompt… \d+ s · turn 1 of /);
    await eventually(() => h.exchangesFor(prompt).length).toBe(1);
    expect(h.exchangesFor(prompt).map((e) => e.outcome)).toEqual([undefined]);
    const [requestA] = h.exchangesFor(prompt);
    expect(requestA?.request.messages[0]?.content).toContain(instructionsA);

    firstToken.open();

    await eventually(() => textNow(nb.halted)).toBe('Tests passed');
    expect(await textNow(nb.runStatus)).toBeNull();
    const requestB = h.exchangesFor(prompt)[1];
    expect(requestB?.request.messages.map((m) => m.content).join('\n')).not.toContain(instructionsA);

    // Each model that was asked has a meter: tokens sent out of its window.
    const meterA = page.getByTestId('context-A');
    await eventually(() => textNow(meterA)).toMatch(/^A: ~?[\d,]+ \/ [\d,]+ tokens/);
    await eventually(() => textNow(page.getByTestId('context-B'))).toMatch(/^B: ~?[\d,]+ \/ [\d,]+ tokens/);
    const sentByA = Number((await textNow(meterA))?.match(/^A: ~?([\d,]+)/)?.[1]?.replaceAll(',', ''));
    expect(sentByA).toBeGreaterThan(0);

    // The meter opens from the keyboard and shows what A was sent, and that nothing was folded away.
    await meterA.focus();
    await page.keyboard.press('Enter');
    expect(await meterA.getAttribute('aria-expanded')).toBe('true');
    const details = page.getByRole('region', { name: 'Context of model A' });
    await eventually(() => textNow(details)).toContain('Answer budget:');
    expect(await textNow(details)).toContain('No older turns summarised: model A reads every turn in full.');
    await page.keyboard.press('Enter');
    await eventually(() => details.count()).toBe(0);
  });
});
