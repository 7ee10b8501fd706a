import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { callApi, commandMode, notebookMeta, sources } from '../support/e2e-conversation.ts';
import { useE2eHarness } from '../support/e2e-harness.ts';
import { eventually, NotebookPageModel, textNow } from '../support/e2e-page.ts';

const h = useE2eHarness();

/** Records, after every handler has seen it, whether each Ctrl/Cmd+S had its default (the browser's "Save page") prevented. */
async function recordSaveKeys(page: Page): Promise<() => Promise<boolean[]>> {
  await page.evaluate(() => {
    const seen: boolean[] = [];
    (window as unknown as { __saveKeys: boolean[] }).__saveKeys = seen;
    window.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') seen.push(e.defaultPrevented);
    });
  });
  return () => page.evaluate(() => [...(window as unknown as { __saveKeys: boolean[] }).__saveKeys]);
}

describe('Jupyter’s keys', () => {
  it('copies, pastes and cuts cells with C, V and X, brings a deleted one back with Z, and changes kinds with M, Y and T', async () => {
    const nb = new NotebookPageModel(await h.openNotebook('keys'));
    const page = nb.page;
    const code = nb.cells('Code cell');
    await nb.button('Add code cell').click();
    await nb.retype(code.first(), 'a = 1');
    await page.keyboard.press('Escape');

    // C then V: a copy below.
    await page.keyboard.press('c');
    await page.keyboard.press('v');
    await eventually(() => sources(code)).toEqual(['a = 1', 'a = 1']);
    await nb.retype(code.nth(1), 'b = 2');

    // X on the first cuts it; V pastes it below the cell now selected.
    await commandMode(page, code.first());
    await page.keyboard.press('x');
    await eventually(() => sources(code)).toEqual(['b = 2']);
    await commandMode(page, code.first());
    await page.keyboard.press('v');
    await eventually(() => sources(code)).toEqual(['b = 2', 'a = 1']);

    // D D deletes; Z puts the cell back where it was.
    await commandMode(page, code.nth(1));
    await page.keyboard.press('d');
    await page.keyboard.press('d');
    await eventually(() => sources(code)).toEqual(['b = 2']);
    await commandMode(page, code.first());
    await page.keyboard.press('z');
    await eventually(() => sources(code)).toEqual(['b = 2', 'a = 1']);

    // M makes it markdown, Y code again.
    await commandMode(page, code.nth(1));
    await page.keyboard.press('m');
    await eventually(() => sources(nb.cells('Text cell'))).toEqual(['a = 1']);
    expect(await sources(code)).toEqual(['b = 2']);
    await commandMode(page, nb.cells('Text cell').first());
    await page.keyboard.press('y');
    await eventually(() => sources(code)).toEqual(['b = 2', 'a = 1']);

    // T makes a code cell a test cell and back; so does the cell's own command.
    await commandMode(page, code.nth(1));
    await page.keyboard.press('t');
    await eventually(() => sources(nb.cells('Test cell'))).toEqual(['a = 1']);
    await commandMode(page, nb.cells('Test cell').first());
    await page.keyboard.press('t');
    await eventually(() => nb.cells('Test cell').count()).toBe(0);
    await code.first().hover();
    await code.first().getByRole('button', { name: 'Make test cell' }).click();
    await eventually(() => sources(nb.cells('Test cell'))).toEqual(['b = 2']);
    await nb.cells('Test cell').first().hover();
    await nb.cells('Test cell').first().getByRole('button', { name: 'Make code cell' }).click();
    await eventually(() => sources(code)).toEqual(['b = 2', 'a = 1']);
  });

  it('saves with Ctrl+S, from command mode and from inside an editor, and never lets the browser’s Save dialog have it', async () => {
    const nb = new NotebookPageModel(await h.openNotebook('save-key'));
    const page = nb.page;
    const saveKeys = await recordSaveKeys(page);
    await nb.button('Add code cell').click();
    const code = nb.cells('Code cell').first();
    await nb.retype(code, 'saved_by_key = True');

    // Inside the editor: the edit is sent and the file written.
    await page.keyboard.press('Control+s');
    await eventually(() => textNow(page.getByRole('status').filter({ hasText: 'Saved' }))).toBe('Saved');
    await eventually(async () => readFile(join(h.notebooksDir, 'save-key.ipynb'), 'utf8')).toContain('saved_by_key = True');

    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+s');
    expect(await saveKeys()).toEqual([true, true]);
  });
});

describe('run settings', () => {
  it('belong to the notebook: each one opens with its own, after a reload and in another browser', async () => {
    const first = new NotebookPageModel(await h.openNotebook('settings-one'));
    const page = first.page;
    const label = (name: string) => page.getByLabel(name, { exact: true });
    await eventually(() => label('Model A').inputValue()).toBe('model-a');
    await label('Model A').selectOption('model-b');
    await label('First to answer').selectOption('B');
    await label('Mode').selectOption('coder-tester');
    await label('Required passes').fill('3');
    await label('Max turns').fill('7');
    await eventually(async () => (await notebookMeta(h, 'settings-one')).settings).toMatchObject({ modelA: 'model-b', first: 'B', mode: 'coder-tester', passes: 3, maxTurns: 7 });

    // A second notebook starts from the browser's latest choice, and keeps its own change.
    expect((await callApi(h, 'POST', '/api/notebooks', { name: 'settings-two' })).status).toBe(201);
    await page.getByRole('navigation', { name: 'Notebooks' }).getByRole('button', { name: 'settings-two', exact: true }).click();
    await page.getByRole('main', { name: 'Notebook settings-two' }).waitFor();
    await eventually(() => label('Max turns').inputValue()).toBe('7');
    await label('Max turns').fill('2');
    await label('First to answer').selectOption('A');
    await eventually(async () => (await notebookMeta(h, 'settings-two')).settings).toMatchObject({ maxTurns: 2, first: 'A' });

    // Back to the first after a reload: its own settings, not the browser's latest.
    await page.goto(`${h.server.url}#settings-one`);
    await page.getByRole('main', { name: 'Notebook settings-one' }).getByTestId('kernel-status').waitFor();
    const shown = async (p: Page) => ({
      modelA: await p.getByLabel('Model A', { exact: true }).inputValue(),
      first: await p.getByLabel('First to answer', { exact: true }).inputValue(),
      mode: await p.getByLabel('Mode', { exact: true }).inputValue(),
      passes: await p.getByLabel('Required passes', { exact: true }).inputValue(),
      maxTurns: await p.getByLabel('Max turns', { exact: true }).inputValue(),
    });
    const expected = { modelA: 'model-b', first: 'B', mode: 'coder-tester', passes: '3', maxTurns: '7' };
    await eventually(() => shown(page)).toEqual(expected);

    // A browser that never chose anything opens it the same way.
    const elsewhere = await h.openPage('settings-one');
    await elsewhere.getByRole('main', { name: 'Notebook settings-one' }).getByTestId('kernel-status').waitFor();
    await eventually(() => shown(elsewhere)).toEqual(expected);
  });

  it('list each model once, by its whole name', async () => {
    const page = await h.openNotebook('pickers');
    for (const slot of ['A', 'B']) {
      const select = page.getByLabel(`Model ${slot}`, { exact: true });
      await eventually(() => select.inputValue()).not.toBe('');
      const options = await select.locator('option').allTextContents();
      expect(options).toEqual(['model-a', 'model-b', 'demo-a', 'demo-b']);
      // The chosen name is shown whole: the select is at least as wide as its text.
      const [textWidth, boxWidth] = await select.evaluate((el: HTMLSelectElement) => {
        const probe = document.createElement('span');
        probe.style.font = getComputedStyle(el).font;
        probe.textContent = el.selectedOptions[0]?.text ?? '';
        document.body.append(probe);
        const width = probe.getBoundingClientRect().width;
        probe.remove();
        return [width, el.clientWidth];
      });
      expect(boxWidth).toBeGreaterThan(textWidth);
    }
  });
});
