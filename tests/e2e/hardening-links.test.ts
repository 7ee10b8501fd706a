/**
 * The access cookie goes to every port of this host, so a link written by a model
 * or by notebook code must not take the user out of Duet unasked. A listener on
 * another port of 127.0.0.1 stands for whatever might be listening there.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { useE2eHarness } from '../support/e2e-harness.ts';
import { eventually, textNow } from '../support/e2e-page.ts';

const h = useE2eHarness();

/** An HTTP server on another port of this host that records what reaches it. */
async function otherPort(): Promise<{ origin: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    hits.push(req.url ?? '');
    res.setHeader('Content-Type', 'text/html');
    res.end('<!doctype html><title>elsewhere</title><p>elsewhere</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  onTestFinished(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

/** Sends an API request to the test's server, with its token. */
async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${h.server.port}${path}`, {
    method,
    headers: { Authorization: `token ${h.server.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

describe('links in model and kernel output', () => {
  it('lead out of Duet only after a confirm that names the target, in a tab that cannot reach back', async () => {
    const elsewhere = await otherPort();
    const port = new URL(elsewhere.origin).port;
    const html = [
      `<a href="${elsewhere.origin}/html">html link</a>`,
      `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="20"><a xlink:href="${elsewhere.origin}/svg"><text x="0" y="15">svg link</text></a></svg>`,
      `<a href="//127.0.0.1:${port}/relative">protocol-relative link</a>`,
    ].join(' ');
    // What a model writes (a prose cell) and what its code displays (a code cell), as a run leaves them.
    const put = await api('PUT', '/api/notebooks/links', {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          cell_type: 'markdown',
          id: 'prose',
          metadata: { duet: { role: 'prose', model: 'A', turn: 1 } },
          source: `See [the docs](${elsewhere.origin}/md), or ${elsewhere.origin}/bare, or [the server's health](/api/health).`,
        },
        {
          cell_type: 'code',
          id: 'show',
          metadata: { duet: { role: 'code', model: 'A', turn: 1 } },
          source: `from IPython.display import HTML, display\ndisplay(HTML(${JSON.stringify(html)}))`,
          execution_count: null,
          outputs: [],
        },
      ],
    });
    expect(put.status).toBe(201);
    const page = await h.openPage('links');
    await page.getByTestId('kernel-status').waitFor();
    expect((await api('POST', '/api/notebooks/links/cells/show/run')).status).toBe(202);
    const prose = page.locator('.markdown').filter({ hasText: 'See the docs' });
    const output = page.locator('.outputs').filter({ hasText: 'html link' });
    await eventually(() => textNow(output)).toContain('svg link');

    // Nothing that leads elsewhere has an href a click, middle click, context menu or drag could follow.
    expect(await page.locator(`[href*=":${port}"], [*|href*=":${port}"]`).count()).toBe(0);

    // Asked first, each naming its target; dismissed, nothing opens.
    const questions: string[] = [];
    page.on('dialog', (d) => {
      questions.push(d.message());
      void d.dismiss();
    });
    await prose.getByText('the docs').click();
    await prose.getByText(`${elsewhere.origin}/bare`).click();
    await output.getByText('html link').click();
    await output.getByText('svg link').click();
    await output.getByText('protocol-relative link').focus();
    await page.keyboard.press('Enter');
    await eventually(() => questions.length).toBe(5);
    ['/md', '/bare', '/html', '/svg', '/relative'].forEach((path, i) => {
      expect(questions[i]).toContain(`${elsewhere.origin}${path}`);
      expect(questions[i]).toMatch(/access cookie to every page on 127\.0\.0\.1, whatever its port/);
    });
    expect(page.context().pages()).toHaveLength(1);

    // Confirmed, it opens in a new tab that has no way back to this page.
    page.removeAllListeners('dialog');
    page.once('dialog', (d) => void d.accept());
    const popup = page.context().waitForEvent('page');
    await prose.getByText('the docs').click();
    const opened = await popup;
    await opened.waitForLoadState();
    expect(opened.url()).toBe(`${elsewhere.origin}/md`);
    expect(await opened.evaluate(() => window.opener)).toBeNull();
    // Only the one the user let through reached the other port (with the tab's own favicon request).
    expect(elsewhere.hits.filter((url) => url !== '/favicon.ico')).toEqual(['/md']);

    // A link on Duet's own origin stays an ordinary link, opened in a new tab.
    const own = prose.getByText("the server's health");
    expect(await own.getAttribute('href')).toBe(`http://127.0.0.1:${h.server.port}/api/health`);
    expect(await own.getAttribute('target')).toBe('_blank');
    expect(await own.getAttribute('rel')).toBe('noopener noreferrer');
  });
});
