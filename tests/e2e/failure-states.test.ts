import { rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MODEL_IDS, useE2eHarness } from '../support/e2e-harness.ts';
import { eventually, NotebookPageModel, textNow } from '../support/e2e-page.ts';

const h = useE2eHarness();

/** Calls the server's HTTP API with the access token, as a script or another tab would. */
function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${h.server.port}${path}`, {
    method,
    headers: { Authorization: `token ${h.server.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
}

/** The names the sidebar lists right now, read from their Rename buttons. */
async function listed(page: Page): Promise<string[]> {
  const labels = await page.getByRole('navigation', { name: 'Notebooks' }).getByRole('button', { name: /^Rename / }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  return labels.map((l) => l.replace(/^Rename /, ''));
}

/** What the prompt box showed, once per change to it: the text, whether it says Starting…, whether Send is disabled. */
interface PromptState {
  text: string;
  starting: boolean;
  sendDisabled: boolean;
}

/**
 * Starts recording the prompt box, so a state that lasts a few milliseconds
 * (between Send and the server's answer) is not missed between two polls.
 */
async function recordPromptStates(page: Page): Promise<() => Promise<PromptState[]>> {
  await page.locator('form.prompt-box').evaluate((form) => {
    const read = () => ({
      text: form.querySelector('textarea')?.value ?? '',
      starting: (form.textContent ?? '').includes('Starting…'),
      sendDisabled: form.querySelector<HTMLButtonElement>('button[type=submit]')?.disabled ?? false,
    });
    // From the first press on: what the form did before it (a model list arriving, say) is not the click's doing.
    const seen: PromptState[] = [];
    let pressed = false;
    form.addEventListener(
      'pointerdown',
      () => {
        if (pressed) return;
        pressed = true;
        seen.push(read());
      },
      { capture: true },
    );
    (window as unknown as { __promptStates: PromptState[] }).__promptStates = seen;
    new MutationObserver(() => {
      if (pressed) seen.push(read());
    }).observe(form, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  return () => page.evaluate(() => [...(window as unknown as { __promptStates: PromptState[] }).__promptStates]);
}

describe('a notebook file that is not a notebook', () => {
  it('shows the server’s reason instead of Connecting…, stops trying, is marked in the list and never opened unasked', async () => {
    const file = join(h.notebooksDir, 'broken.ipynb');
    await writeFile(file, '{"cells": [', 'utf8');
    onTestFinished(() => rm(file, { force: true }));
    // The newest file in the folder, so it is the one a first load would pick if broken ones could be picked.
    const future = new Date(Date.now() + 3_600_000);
    await utimes(file, future, future);
    const answer = await api('GET', '/api/notebooks/broken');
    expect(answer.status).toBe(422);
    const { error } = (await answer.json()) as { error: string };
    const listedError = ((await (await api('GET', '/api/notebooks')).json()) as { name: string; error?: string }[]).find((n) => n.name === 'broken')?.error;
    expect(listedError).toBeTypeOf('string');

    const page = await h.openPage('broken');
    const banner = page.getByTestId('notebook-ended');
    await eventually(() => textNow(banner)).toContain(error);
    let attempts = 0;
    page.on('websocket', () => attempts++);
    expect(await textNow(banner)).toContain('Once it is fixed or replaced, choose it on the left again');
    expect(await textNow(page.getByText('Connecting…'))).toBeNull();
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);

    const entry = page.getByRole('navigation', { name: 'Notebooks' }).getByRole('button', { name: /^broken/ });
    await eventually(() => entry.getAttribute('title')).toBe(`Cannot be opened: ${listedError}`);
    expect(await textNow(entry)).toBe('brokenCannot be opened');

    // A first load with no notebook in the address opens a readable one (creating it if need be).
    const fresh = await h.openPage(null);
    const opened = fresh.getByRole('main', { name: /^Notebook / });
    await opened.getByTestId('kernel-status').waitFor();
    expect(await opened.getAttribute('aria-label')).not.toBe('Notebook broken');
    expect(await textNow(fresh.getByTestId('notebook-ended'))).toBeNull();

    // The first page gave up: while the second one opened a notebook and started its kernel, it made no new attempt.
    expect(attempts).toBe(0);
    expect(await textNow(banner)).toContain(error);
  });
});

describe('a page the server no longer lets in', () => {
  it('says to open the URL duet serve printed, instead of Connecting…', async () => {
    const page = await h.openNotebook('let-in');
    // What a restarted `duet serve` (a new token) looks like to a page already open: its cookie is refused.
    const context = page.context();
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    await context.addCookies(cookies.map((c) => ({ ...c, value: 'not-the-token' })));

    await page.evaluate(() => {
      location.hash = '#elsewhere';
    });

    const banner = page.getByRole('main', { name: 'Notebook elsewhere' }).getByTestId('notebook-ended');
    await eventually(() => textNow(banner)).toContain('Wrong access token');
    expect(await textNow(banner)).toContain('open the URL it printed');
    expect(await textNow(page.getByText('Connecting…'))).toBeNull();
  });
});

describe('the open notebook changed from elsewhere', () => {
  it('says the notebook was deleted, instead of reconnecting forever', async () => {
    const page = await h.openNotebook('doomed');
    await eventually(() => listed(page)).toContain('doomed');

    expect((await api('DELETE', '/api/notebooks/doomed')).status).toBe(204);

    const banner = page.getByTestId('notebook-ended');
    await eventually(() => textNow(banner)).toContain('doomed was deleted');
    expect(await textNow(page.getByText(/Reconnecting/))).toBeNull();
    await eventually(() => listed(page)).not.toContain('doomed');
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
  });

  it('follows the open notebook to its new name when it is renamed', async () => {
    const page = await h.openNotebook('before');
    const nb = new NotebookPageModel(page);
    await nb.button('Add code cell').click();
    await eventually(() => nb.cells('Code cell').count()).toBe(1);

    const renamed = await api('PATCH', '/api/notebooks/before', { name: 'after' });
    expect(renamed.status).toBe(200);

    const after = page.getByRole('main', { name: 'Notebook after' });
    await after.getByTestId('kernel-status').waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('#after');
    // The same notebook, under its new name.
    expect(await nb.cells('Code cell').count()).toBe(1);
    await eventually(() => listed(page)).toContain('after');
    expect(await listed(page)).not.toContain('before');
    expect(await textNow(page.getByText(/Reconnecting/))).toBeNull();
  });
});

describe('sending a request', () => {
  it('keeps the text, with Send disabled, until the run is going, so a double click starts one run', async () => {
    const prompt = 'Say hello, once.';
    h.answer(prompt, [{ type: 'content', text: 'Hello.\n' }]);
    const page = await h.openNotebook('double-click');
    const nb = new NotebookPageModel(page);
    const [a, b] = MODEL_IDS;
    await eventually(() => page.getByLabel('Model A', { exact: true }).inputValue()).toBe(a);
    await eventually(() => page.getByLabel('Model B', { exact: true }).inputValue()).toBe(b);
    await page.getByLabel('Max turns', { exact: true }).fill('1');
    const box = page.getByLabel('Prompt', { exact: true });
    await box.fill(prompt);
    const promptStates = await recordPromptStates(page);

    await nb.button('Send').dblclick();

    await eventually(() => textNow(nb.halted)).toBe('Turn limit reached');
    await eventually(() => box.inputValue()).toBe('');
    const states = await promptStates();
    expect(states).toContainEqual({ text: prompt, starting: true, sendDisabled: true });
    // Nothing between the click and the run's start showed an empty box or an enabled Send.
    const cleared = states.findIndex((s) => s.text === '');
    expect(states.slice(1, cleared < 0 ? states.length : cleared).filter((s) => !s.sendDisabled)).toEqual([]);
    expect(await nb.cells('Request').count()).toBe(1);
    expect(h.exchangesFor(prompt)).toHaveLength(1);
    expect(await textNow(page.getByTestId('run-refused'))).toBeNull();
    expect(await textNow(page.getByRole('alert'))).toBeNull();
  });
});
