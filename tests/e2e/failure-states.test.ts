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

/** The names the sidebar lists right now. */
function listed(page: Page): Promise<string[]> {
  return page
    .getByRole('navigation', { name: 'Notebooks' })
    .getByRole('listitem')
    .evaluateAll((items) => items.map((li) => li.querySelector('.nb-open')?.firstChild?.textContent ?? ''));
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

    const page = await h.openPage('broken');
    let attempts = 0;
    page.on('websocket', () => attempts++);
    const banner = page.getByTestId('notebook-ended');
    await eventually(() => textNow(banner)).toContain(error);
    expect(await textNow(banner)).toContain('Once the file is fixed or replaced');
    expect(await textNow(page.getByText('Connecting…'))).toBeNull();
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);

    const entry = page.getByRole('navigation', { name: 'Notebooks' }).getByRole('button', { name: /^broken/ });
    await eventually(() => entry.getAttribute('title')).toBe(error);
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

describe('the open notebook changed from elsewhere', () => {
  it('says the notebook was deleted, instead of reconnecting forever', async () => {
    const page = await h.openNotebook('doomed');
    expect(await listed(page)).toContain('doomed');

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
    await nb.button('Add markdown cell').click();
    await eventually(() => nb.cells('Text cell').count()).toBe(1);

    const renamed = await api('PATCH', '/api/notebooks/before', { name: 'after' });
    expect(renamed.status).toBe(200);

    const after = page.getByRole('main', { name: 'Notebook after' });
    await after.getByTestId('kernel-status').waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('#after');
    // The same notebook, under its new name.
    expect(await nb.cells('Text cell').count()).toBe(1);
    await eventually(() => listed(page)).toContain('after');
    expect(await listed(page)).not.toContain('before');
    expect(await textNow(page.getByText(/Reconnecting/))).toBeNull();
  });
});

describe('sending a request', () => {
  it('starts one run for a double-clicked Send, keeping the text until the run is going', async () => {
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

    await nb.button('Send').dblclick();

    await eventually(() => textNow(nb.halted)).toBe('Turn limit reached');
    await eventually(() => box.inputValue()).toBe('');
    expect(await nb.cells('Request').count()).toBe(1);
    expect(h.exchangesFor(prompt)).toHaveLength(1);
    expect(await textNow(page.getByTestId('run-refused'))).toBeNull();
    expect(await textNow(page.getByRole('alert'))).toBeNull();
  });
});
