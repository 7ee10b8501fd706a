import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULTS_DIR, useE2eHarness } from '../support/e2e-harness.ts';
import { eventually, gate, NotebookPageModel, textNow } from '../support/e2e-page.ts';

const h = useE2eHarness();

describe('a run in the browser', () => {
  it('streams cells into the page while the model writes, runs them, and halts at two green tests', async () => {
    const prompt = 'Write double(x) and test it.';
    const rest = gate();
    h.answer(prompt, [
      { type: 'content', text: 'A function that doubles its argument.\n\nRUN-CODE\n```python\ndef double(x):\n' },
      { type: 'content', text: '    return 2 * x\n' },
      { type: 'wait', until: rest.promise },
      {
        type: 'content',
        text: 'print("double is ready")\n```\n\nTwo checks:\n\nTEST-ASSERT\n```python\nassert double(2) == 4\n```\n\nTEST-ASSERT\n```python\nassert double(-1) == -2\n```\n',
      },
    ]);
    const nb = new NotebookPageModel(await h.openNotebook('first-run'));
    await nb.send(prompt);

    const code = nb.cell('Code cell', 'def double(x):');
    await eventually(() => textNow(code)).toContain('return 2 * x');
    // The model is still writing: its answer is held at the gate, and the page says so.
    expect(h.exchangesFor(prompt).map((e) => e.outcome)).toEqual([undefined]);
    await eventually(() => textNow(code)).toContain('writing…');
    await eventually(() => textNow(nb.runStatus)).toContain('A is writing');
    await eventually(() => textNow(nb.cell('Text cell', 'doubles its argument'))).not.toBeNull();
    expect(await nb.cells('Test cell').count()).toBe(0);

    rest.open();
    const tests = nb.cells('Test cell');
    await eventually(() => tests.getByTestId('test-status').allInnerTexts()).toEqual(['passed', 'passed']);
    await eventually(() => textNow(nb.passes)).toBe('Green tests 2 / 2');
    await eventually(() => textNow(nb.halted)).toBe('Tests passed');
    await eventually(() => textNow(code)).toContain('double is ready');
    expect(await nb.button('Stop generation').isDisabled()).toBe(true);
    // The sandbox the page names is the one the server reports.
    const health = (await (await fetch(`http://127.0.0.1:${h.server.port}/api/health`, { headers: { Authorization: `token ${h.server.token}` } })).json()) as {
      sandbox: { mode: string; available: boolean };
    };
    await eventually(() => textNow(nb.page.getByTestId('sandbox-status'))).toBe(
      health.sandbox.available ? `Sandbox: ${health.sandbox.mode}` : 'No sandbox: model code runs with your rights',
    );

    await nb.page.screenshot({ path: join(RESULTS_DIR, 'e2e-main.png') });
  });

  it('stops both models and the running cell on Stop generation, keeping what was written', async () => {
    const prompt = 'Find the answer, slowly.';
    const never = new Promise<void>(() => undefined);
    h.answer(
      prompt,
      [{ type: 'content', text: 'First try.\n\nRUN-CODE\n```python\nx = 41\n```\n\nTEST-ASSERT\n```python\nassert x == 42\n```\n' }],
      [
        { type: 'content', text: 'Let me think about this for a long while.\n\nRUN-CODE\n```python\nimport time\ntime.sleep(600)\n```\n\nStill pondering' },
        { type: 'wait', until: never },
        { type: 'content', text: ' and never finishing.\n' },
      ],
    );
    const nb = new NotebookPageModel(await h.openNotebook('stopped-run'));
    await nb.send(prompt);

    const sleeper = nb.cell('Code cell', 'time.sleep(600)');
    await eventually(() => textNow(sleeper)).toContain('running');
    await eventually(() => textNow(nb.kernel)).toContain('Kernel busy');
    await eventually(() => textNow(nb.cell('Text cell', 'Still pondering'))).not.toBeNull();
    await eventually(() => textNow(nb.runStatus)).toContain('B is writing');
    const [answerA, answerB] = h.exchangesFor(prompt);
    expect(await answerA?.closed).toBe('completed');
    expect(answerB?.outcome).toBeUndefined();

    await nb.button('Stop generation').click();

    await h.models.whenAllStreamsClosed();
    expect(await answerB?.closed).toBe('client-closed');
    expect(h.exchangesFor(prompt)).toHaveLength(2);
    await eventually(() => textNow(nb.halted)).toBe('Stopped');
    await eventually(() => textNow(nb.kernel)).toContain('Kernel idle');
    await eventually(() => textNow(sleeper)).toContain('KeyboardInterrupt');
    expect(await textNow(nb.cell('Text cell', 'Let me think about this'))).not.toBeNull();
    expect(await textNow(nb.cell('Text cell', 'Still pondering'))).not.toContain('never finishing');
    expect(await nb.button('Stop generation').isDisabled()).toBe(true);
    expect(await textNow(nb.passes)).toBe('Green tests 0 / 2');
  });

  it('finds the cells and the run still going after a reload in the middle of it', async () => {
    const prompt = 'Write triple(x), and take your time.';
    const rest = gate();
    h.answer(prompt, [
      { type: 'content', text: 'Tripling, step one.\n\nRUN-CODE\n```python\ndef triple(x):\n    return 3 * x\n```\n\nTEST-ASSERT\n```python\nassert triple(' },
      { type: 'wait', until: rest.promise },
      { type: 'content', text: '2) == 6\n```\n\nTEST-ASSERT\n```python\nassert triple(0) == 0\n```\n' },
    ]);
    const nb = new NotebookPageModel(await h.openNotebook('reloaded'));
    await nb.send(prompt);
    const code = nb.cell('Code cell', 'def triple(x):');
    const openTest = nb.cell('Test cell', 'assert triple(');
    await eventually(() => textNow(openTest)).toContain('writing…');
    await eventually(() => textNow(code)).toContain('[1]');

    await nb.page.reload();

    await eventually(() => textNow(nb.cell('Request', prompt))).not.toBeNull();
    await eventually(() => textNow(nb.cell('Text cell', 'Tripling, step one.'))).not.toBeNull();
    await eventually(() => textNow(code)).toContain('return 3 * x');
    expect(await textNow(code)).toContain('[1]');
    await eventually(() => textNow(openTest)).toContain('writing…');
    await eventually(() => textNow(nb.runStatus)).toContain('A is writing');
    expect(await nb.button('Stop generation').isEnabled()).toBe(true);
    expect(h.exchangesFor(prompt).map((e) => e.outcome)).toEqual([undefined]);

    // The reloaded page keeps following the run to its end.
    rest.open();
    await eventually(() => nb.cells('Test cell').getByTestId('test-status').allInnerTexts()).toEqual(['passed', 'passed']);
    await eventually(() => textNow(nb.halted)).toBe('Tests passed');
    expect(await nb.cells('Request').count()).toBe(1);
    expect(await nb.cells('Code cell').count()).toBe(1);
  });
});
