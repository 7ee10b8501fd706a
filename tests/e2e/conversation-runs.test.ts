import { describe, expect, it } from 'vitest';
import { callApi, marked, notebookMeta, runningNotebooks } from '../support/e2e-conversation.ts';
import { useE2eHarness } from '../support/e2e-harness.ts';
import { eventually, gate, NotebookPageModel, textNow } from '../support/e2e-page.ts';

const h = useE2eHarness();

// A follow-up's request holds the conversation so far, so the scripted server finds
// the first request in it: each follow-up here repeats the first request's words,
// and one script answers the requests of both runs in order.

describe('a notebook that goes on after its first run', () => {
  it('counts a second run’s green tests from zero, and keeps the first run’s record', async () => {
    const first = 'Write inc(x) and test it.';
    const followUp = `${first} Then write dec(x), tested too.`;
    h.answer(
      first,
      [{ type: 'content', text: marked({ code: 'def inc(x):\n    return x + 1', tests: ['assert inc(1) == 2', 'assert inc(-1) == 0'] }) }],
      [{ type: 'content', text: marked({ code: 'def dec(x):\n    return x - 1', tests: ['assert dec(1) == 0'] }) }],
    );
    const nb = new NotebookPageModel(await h.openNotebook('second-run'));
    await nb.send(first);
    await eventually(() => textNow(nb.halted)).toBe('Tests passed');
    expect(await textNow(nb.passes)).toBe('Green tests 2 / 2');

    await nb.send(followUp, { maxTurns: 1 });
    await eventually(() => textNow(nb.halted)).toBe('Turn limit reached');

    // The new run counts its own test, not the first run's two.
    expect(await textNow(nb.passes)).toBe('Green tests 1 / 2');
    expect(await nb.cells('Test cell').getByTestId('test-status').allInnerTexts()).toEqual(['passed', 'passed', 'passed']);
    const meta = await notebookMeta(h, 'second-run');
    expect(meta.runs.map((r) => ({ request: r.request, kind: r.kind, passes: r.passes, halted: r.halted }))).toEqual([
      { request: first, kind: 'new', passes: 2, halted: 'tests-passed' },
      { request: followUp, kind: 'new', passes: 1, halted: 'max-turns' },
    ]);
    // The follow-up was asked with the code written before it.
    const asked = h.exchangesFor(followUp)[0]?.request.messages.map((m) => m.content).join('\n');
    expect(asked).toContain('def inc(x):');
  });

  it('goes on after the turn limit with Continue, model B answering next', async () => {
    const prompt = 'Write sq(x), in two goes.';
    h.answer(
      prompt,
      [{ type: 'content', text: marked({ code: 'def sq(x):\n    return x * 2', tests: ['assert sq(3) == 9'] }) }],
      [{ type: 'content', text: marked({ prose: 'sq doubled; it should multiply.', code: 'def sq(x):\n    return x * x', tests: ['assert sq(3) == 9', 'assert sq(-2) == 4'] }) }],
    );
    const nb = new NotebookPageModel(await h.openNotebook('continued'));
    await nb.send(prompt, { maxTurns: 1 });
    await eventually(() => textNow(nb.halted)).toBe('Turn limit reached');
    const resume = nb.page.getByTestId('resume-bar');
    expect(await textNow(resume)).toContain('Turn limit reached.');

    await nb.button('Continue').click();

    await eventually(() => textNow(nb.halted)).toBe('Tests passed');
    expect(await textNow(nb.cell('Text cell', 'it should multiply'))).toContain('B · turn');
    expect(h.exchangesFor(prompt).map((e) => e.request.model)).toEqual(['model-a', 'model-b']);
    expect(await resume.count()).toBe(0);
    const meta = await notebookMeta(h, 'continued');
    expect(meta.runs.map((r) => [r.kind, r.halted])).toEqual([
      ['new', 'max-turns'],
      ['continue', 'tests-passed'],
    ]);
  });

  it('writes the last turn again with Retry after a model error, keeping the failed turn folded', async () => {
    const prompt = 'Write cube(x), though the server fails once.';
    h.answer(
      prompt,
      [
        { type: 'content', text: 'Cubing, first attempt that never ends\n\n' },
        { type: 'http-error', status: 500, body: { error: 'the model server fell over' } },
      ],
      [{ type: 'content', text: marked({ prose: 'Cubing, second attempt.', code: 'def cube(x):\n    return x ** 3', tests: ['assert cube(2) == 8', 'assert cube(-1) == -1'] }) }],
    );
    const nb = new NotebookPageModel(await h.openNotebook('retried'));
    await nb.send(prompt);
    await eventually(() => textNow(nb.halted)).toBe('Model error');
    expect(await textNow(nb.page.getByTestId('resume-bar'))).toContain('Model error.');

    await nb.button('Retry').click();

    await eventually(() => textNow(nb.halted)).toBe('Tests passed');
    // The failed turn is kept, folded to one line that opens on request.
    const discarded = nb.page.getByTestId('discarded-turn');
    await eventually(() => textNow(discarded)).toMatch(/^▸ Model A's turn 1, replaced by Retry \(\d+ cells?\)$/);
    expect(await textNow(nb.cell('Text cell', 'first attempt'))).toBeNull();
    await discarded.getByRole('button').click();
    await eventually(() => textNow(nb.cell('Text cell', 'first attempt'))).toContain('replaced by Retry');
    expect(await textNow(nb.cell('Text cell', 'second attempt'))).toContain('A · turn');
    expect((await notebookMeta(h, 'retried')).runs.map((r) => r.kind)).toEqual(['new', 'retry']);
  });
});

describe('starting over, and who starts', () => {
  it('starts a new conversation in the same notebook: the line shows where, and the next request does not carry the cells above', async () => {
    const before = 'Write twice(x) and test it.';
    const after = 'Write thrice(x), from scratch.';
    h.answer(before, [{ type: 'content', text: marked({ code: 'def twice(x):\n    return 2 * x', tests: ['assert twice(2) == 4', 'assert twice(0) == 0'] }) }]);
    h.answer(after, [{ type: 'content', text: marked({ code: 'def thrice(x):\n    return 3 * x', tests: ['assert thrice(1) == 3', 'assert thrice(0) == 0'] }) }]);
    const nb = new NotebookPageModel(await h.openNotebook('fresh-start'));
    await nb.send(before);
    await eventually(() => textNow(nb.halted)).toBe('Tests passed');

    await nb.button('New conversation').click();
    const line = nb.page.getByRole('separator', { name: 'New conversation' });
    await eventually(() => textNow(line)).toContain('the next request starts fresh');
    await nb.send(after);
    await eventually(() => nb.cells('Test cell').getByTestId('test-status').allInnerTexts()).toEqual(['passed', 'passed', 'passed', 'passed']);
    await eventually(() => textNow(nb.halted)).toBe('Tests passed');

    expect(h.exchangesFor(after)[0]?.request.messages.map((m) => m.content).join('\n')).not.toContain('def twice');
    expect(await line.count()).toBe(1);
    // The line now stands right above the request that began the new conversation.
    const next = await line.evaluate((el) => el.nextElementSibling?.getAttribute('aria-label'));
    expect(next).toBe('Request');
    expect(await textNow(nb.page.locator('[role=separator] + [role=group]'))).toContain(after);
  });

  it('lets model B answer first when the run settings say so', async () => {
    const prompt = 'Write one(), B first.';
    h.answer(prompt, [{ type: 'content', text: marked({ code: 'def one():\n    return 1', tests: ['assert one() == 1'] }) }]);
    const nb = new NotebookPageModel(await h.openNotebook('b-first'));
    await nb.page.getByLabel('First to answer', { exact: true }).selectOption('B');
    await nb.send(prompt, { maxTurns: 1 });
    await eventually(() => textNow(nb.halted)).toBe('Turn limit reached');
    expect(h.exchangesFor(prompt).map((e) => e.request.model)).toEqual(['model-b']);
    expect(await textNow(nb.cell('Code cell', 'def one():'))).toContain('B · turn 1');
  });
});

describe('tests that no longer say anything about the code', () => {
  it('turns a passed test stale when the code above it is edited and run, counts it as nothing, and Run all settles it', async () => {
    const prompt = 'Write half(x) with two tests.';
    h.answer(prompt, [{ type: 'content', text: marked({ code: 'def half(x):\n    return x / 2', tests: ['assert half(4) == 2', 'assert half(3) == 1.5'] }) }]);
    const nb = new NotebookPageModel(await h.openNotebook('stale-tests'));
    await nb.send(prompt);
    await eventually(() => textNow(nb.halted)).toBe('Tests passed');
    const statuses = nb.cells('Test cell').getByTestId('test-status');
    expect(await statuses.allInnerTexts()).toEqual(['passed', 'passed']);

    const code = nb.cell('Code cell', 'def half(x):');
    await nb.retype(code, 'def half(x):\n    return x // 2');
    await nb.page.keyboard.press('Control+Enter');

    await eventually(() => statuses.allInnerTexts()).toEqual(['stale', 'stale']);
    // The model's cell now says it is the person's edit, in words and on hover.
    expect(await textNow(code)).toContain('edited by you');
    expect(await code.getByTestId('model-badge').getAttribute('title')).toBe('Written by model A (model-a), turn 1, then edited by you');
    await eventually(() => textNow(nb.passes)).toBe('Green tests 0 / 2');
    // "Tests passed" no longer stands beside a count that says otherwise.
    expect(await textNow(nb.halted)).toBeNull();
    // Stale is never drawn green.
    const stale = nb.cells('Test cell').first();
    expect(await stale.getAttribute('class')).not.toContain('test-passed');
    const [badgeColour, passedColour] = await statuses.first().evaluate((el) => {
      const probe = document.createElement('span');
      probe.className = 'badge badge-test test-passed';
      el.parentElement?.append(probe);
      const colours = [getComputedStyle(el).color, getComputedStyle(probe).color];
      probe.remove();
      return colours;
    });
    expect(badgeColour).not.toBe(passedColour);

    await nb.button('Run all').click();

    await eventually(() => statuses.allInnerTexts()).toEqual(['passed', 'failed']);
    await eventually(() => textNow(nb.passes)).toBe('Green tests 1 / 2');
  });
});

describe('what the page says while a run goes', () => {
  it('marks only the notebook a model is generating in as running, not one that merely has a kernel', async () => {
    const prompt = 'Write neg(x), slowly.';
    const rest = gate();
    h.answer(prompt, [
      { type: 'content', text: 'Negating.\n\n' },
      { type: 'wait', until: rest.promise },
      { type: 'content', text: marked({ prose: 'Done.', code: 'def neg(x):\n    return -x', tests: ['assert neg(1) == -1', 'assert neg(0) == 0'] }) },
    ]);
    // A notebook with a live kernel and no run.
    const idle = new NotebookPageModel(await h.openNotebook('kernel-only'));
    await idle.button('Add code cell').click();
    const idleCode = idle.cells('Code cell').first();
    await idle.retype(idleCode, 'x = 1');
    await idle.page.keyboard.press('Control+Enter');
    await eventually(() => textNow(idleCode)).toContain('[1]');

    const nb = new NotebookPageModel(await h.openNotebook('busy-one'));
    await nb.send(prompt);
    await eventually(() => textNow(nb.runStatus)).toContain('A is writing');

    const sidebar = nb.page.getByRole('navigation', { name: 'Notebooks' });
    await eventually(() => sidebar.getByRole('img', { name: 'generating' }).count()).toBe(1);
    expect(await textNow(sidebar.getByRole('listitem').filter({ has: nb.page.getByRole('img', { name: 'generating' }) }))).toContain('busy-one');
    expect(await runningNotebooks(h)).toEqual(['busy-one']);
    // The other page learns of it too, and still does not mark its own notebook.
    const otherSidebar = idle.page.getByRole('navigation', { name: 'Notebooks' });
    await eventually(() => otherSidebar.getByRole('listitem').filter({ has: idle.page.getByRole('img', { name: 'generating' }) }).allInnerTexts()).toEqual([
      expect.stringContaining('busy-one'),
    ]);

    rest.open();
    await eventually(() => textNow(nb.halted)).toBe('Tests passed');
    await eventually(() => sidebar.getByRole('img', { name: 'generating' }).count()).toBe(0);
    expect(await runningNotebooks(h)).toEqual([]);
  });

  it('says the model is reading the prompt, then reasoning, then writing, with the turn’s clock; the turn’s cost and model stay on its badge', async () => {
    const prompt = 'Think, then write absval(x).';
    const firstToken = gate();
    const answer = gate();
    const rest = gate();
    h.answer(
      prompt,
      [
        { type: 'wait', until: firstToken.promise },
        { type: 'reasoning', text: 'Negative numbers need flipping.' },
        { type: 'wait', until: answer.promise },
        { type: 'content', text: 'Absolute value.\n\n' },
        { type: 'wait', until: rest.promise },
        { type: 'content', text: marked({ code: 'def absval(x):\n    return x if x >= 0 else -x', tests: ['assert absval(-2) == 2'] }) },
      ],
      [{ type: 'content', text: marked({ prose: 'One more check.', tests: ['assert absval(3) == 3'] }) }],
    );
    const nb = new NotebookPageModel(await h.openNotebook('status-words'));
    await nb.send(prompt);

    await eventually(() => textNow(nb.runStatus)).toMatch(/^Model A is reading the prompt… \d+ s · turn 1 of 4$/);
    firstToken.open();
    await eventually(() => textNow(nb.runStatus)).toMatch(/^A is reasoning · turn 1 of 4 \(\d+ s\)/);
    answer.open();
    await eventually(() => textNow(nb.runStatus)).toMatch(/^A is writing · turn 1 of 4 \(\d+ s\)/);
    rest.open();
    await eventually(() => textNow(nb.halted)).toBe('Tests passed');

    const code = nb.cell('Code cell', 'def absval(x):');
    expect(await code.getByTestId('model-badge').getAttribute('title')).toBe('Written by model A (model-a), turn 1');
    // The turn's time and tokens, on the turn's first cell only.
    const turnStats = nb.page.getByTestId('turn-stats');
    expect(await turnStats.allInnerTexts()).toEqual([expect.stringMatching(/^\d+\.\d s · [\d,]+ → [\d,]+ tokens$/), expect.stringMatching(/ tokens$/)]);
    expect(await turnStats.first().getAttribute('title')).toMatch(/^Turn 1 of model A: /);
    // Whose results, and who received them.
    expect(await textNow(nb.cells('Execution results').first().locator('summary'))).toBe("Results of model A's cells, sent to model B");
  });
});

describe('stopping a run', () => {
  it('asks before Restart kernel ends a run, and stops one with Esc in the prompt box or with Stop in place of Send', async () => {
    const prompt = 'Wait for me, forever.';
    const never = new Promise<void>(() => undefined);
    h.answer(prompt, [{ type: 'content', text: 'Waiting.\n\n' }, { type: 'wait', until: never }], [{ type: 'content', text: 'Waiting again.\n\n' }, { type: 'wait', until: never }]);
    const nb = new NotebookPageModel(await h.openNotebook('stop-habits'));
    const page = nb.page;
    await nb.send(prompt);
    await eventually(() => textNow(nb.runStatus)).toContain('A is writing');
    // Send has become Stop.
    expect(await nb.button('Send').count()).toBe(0);
    expect(await nb.button('Stop').isVisible()).toBe(true);

    await nb.button('Restart kernel').click();
    const dialog = page.getByRole('dialog', { name: 'Restart the kernel?' });
    expect(await textNow(dialog)).toContain('stops the generation');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await eventually(() => dialog.count()).toBe(0);
    expect(await textNow(nb.runStatus)).toContain('A is writing');

    await nb.button('Restart kernel').click();
    await dialog.getByRole('button', { name: 'Restart and stop the run' }).click();
    await eventually(() => textNow(nb.halted)).toBe('Stopped');
    await eventually(() => textNow(nb.kernel)).toBe('Kernel idle');

    // Again, stopped from the prompt box: Esc there stops the run.
    await nb.button('Retry').click();
    await eventually(() => textNow(nb.runStatus)).toContain('is writing');
    await page.getByLabel('Prompt', { exact: true }).focus();
    await page.keyboard.press('Escape');
    await eventually(() => textNow(nb.halted)).toBe('Stopped');
    expect(await nb.button('Send').isVisible()).toBe(true);
  });
});

describe('renaming a notebook', () => {
  it('says plainly that the name is taken, and keeps both notebooks', async () => {
    expect((await callApi(h, 'POST', '/api/notebooks', { name: 'taken' })).status).toBe(201);
    const page = await h.openNotebook('wants-a-name');
    const list = page.getByRole('navigation', { name: 'Notebooks' });
    await list.getByRole('button', { name: 'Rename wants-a-name' }).click();
    await list.getByLabel('New name for wants-a-name').fill('taken');
    await list.getByRole('button', { name: 'Save' }).click();
    await eventually(() => textNow(list.getByRole('alert'))).toMatch(/^Could not rename wants-a-name: A notebook named "?taken"? already exists\.$/);
    expect(await page.getByRole('main', { name: 'Notebook wants-a-name' }).count()).toBe(1);
    // The list refreshing in the background leaves the message in place.
    const refreshed = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/notebooks' && r.request().method() === 'GET');
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await refreshed;
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    expect(await textNow(list.getByRole('alert'))).toContain('already exists');
  });
});
