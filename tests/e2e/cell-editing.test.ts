import { describe, expect, it } from 'vitest';
import { useE2eHarness } from '../support/e2e-harness.ts';
import { eventually, NotebookPageModel, textNow } from '../support/e2e-page.ts';

const h = useE2eHarness();

describe('cells edited and run by hand', () => {
  it('turns a failing test green when it is fixed and re-run, and counts it', async () => {
    const prompt = 'Write half(x) with two tests.';
    h.answer(prompt, [
      {
        type: 'content',
        text: 'RUN-CODE\n```python\ndef half(x):\n    return x / 2\n```\n\nTEST-ASSERT\n```python\nassert half(4) == 2\n```\n\nTEST-ASSERT\n```python\nassert half(3) == 1\n```\n',
      },
    ]);
    const nb = new NotebookPageModel(await h.openNotebook('fix-a-test'));
    await nb.send(prompt, { maxTurns: 1 });
    await eventually(() => textNow(nb.halted)).toBe('Turn limit reached');
    const wrong = nb.cell('Test cell', 'half(3)');
    await eventually(() => textNow(wrong.getByTestId('test-status'))).toBe('failed');
    expect(await textNow(wrong.getByRole('note'))).toBe('AssertionError');
    expect(await textNow(nb.passes)).toBe('Green tests 1 / 2');

    await nb.retype(wrong, 'assert half(3) == 1.5');
    await nb.page.keyboard.press('Control+Enter');

    await eventually(() => textNow(wrong.getByTestId('test-status'))).toBe('passed');
    expect(await wrong.getByRole('note').count()).toBe(0);
    await eventually(() => textNow(nb.passes)).toBe('Green tests 2 / 2');
    expect(await textNow(wrong)).toContain('[4]');
  });

  it('forgets the variables on Restart kernel, and runs cells again afterwards', async () => {
    const prompt = 'Keep a secret.';
    h.answer(prompt, [
      { type: 'content', text: 'RUN-CODE\n```python\nsecret = 42\n```\n\nTEST-ASSERT\n```python\nassert secret == 42\n```\n' },
    ]);
    const nb = new NotebookPageModel(await h.openNotebook('restarted'));
    await nb.send(prompt, { passes: 1 });
    await eventually(() => textNow(nb.halted)).toBe('Tests passed');
    const code = nb.cell('Code cell', 'secret = 42');
    const test = nb.cell('Test cell', 'assert secret == 42');
    expect(await textNow(test.getByTestId('test-status'))).toBe('passed');

    const kernelStates = await nb.recordKernelStates();
    await nb.button('Restart kernel').click();
    await eventually(kernelStates).toEqual(expect.arrayContaining(['Kernel restarting']));
    await eventually(() => textNow(nb.kernel)).toBe('Kernel idle');

    await test.getByRole('button', { name: 'Run cell' }).click();
    await eventually(() => textNow(test.getByTestId('test-status'))).toBe('error');
    expect(await textNow(test.getByRole('note'))).toBe("NameError: name 'secret' is not defined");
    // A fresh kernel counts executions from one again.
    expect(await textNow(test)).toContain('[1]');

    await code.getByRole('button', { name: 'Run cell' }).click();
    await eventually(() => textNow(code)).toContain('[2]');
    await test.getByRole('button', { name: 'Run cell' }).click();
    await eventually(() => textNow(test.getByTestId('test-status'))).toBe('passed');
    expect(await textNow(test)).toContain('[3]');
  });
});
