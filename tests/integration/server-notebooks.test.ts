import { request } from 'node:http';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startTestServer, tryUpgrade, type TestServer } from '../support/duet-server.ts';

const IMPORTED = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { cell_type: 'markdown', id: 'intro', metadata: {}, source: ['# Imported\n'] },
    { cell_type: 'code', id: 'calc', metadata: {}, source: ['print(6 * 7)'], execution_count: null, outputs: [] },
  ],
};

interface NotebookRow {
  name: string;
  modified: string;
  running: boolean;
  error?: string;
}

/** Sends a request with the path exactly as given: fetch would normalise `..` and `%2e%2e` away. */
function raw(t: TestServer, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port: t.server.port,
        method,
        path,
        headers: { Authorization: `token ${t.token}`, ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

describe('notebooks on disk through the API', () => {
  it('creates, lists, reads, imports, renames and deletes notebooks', async () => {
    const t = await startTestServer();
    expect((await t.api('POST', '/api/notebooks', { body: {} })).json()).toEqual({ name: 'Untitled' });
    expect((await t.api('POST', '/api/notebooks')).json()).toEqual({ name: 'Untitled 2' });
    expect((await t.api('POST', '/api/notebooks', { body: { name: 'Untitled' } })).status).toBe(409);

    const file = await t.api('GET', '/api/notebooks/Untitled');
    expect(file.status).toBe(200);
    expect(file.json()).toMatchObject({ nbformat: 4, nbformat_minor: 5, cells: [] });

    const put = await t.api('PUT', '/api/notebooks/imported', { body: IMPORTED });
    expect(put.status).toBe(201);
    expect((await t.api('GET', '/api/notebooks/imported')).json<typeof IMPORTED>().cells.map((c) => c.id)).toEqual(['intro', 'calc']);
    expect((await t.api('PUT', '/api/notebooks/imported', { body: IMPORTED })).status).toBe(200);
    expect((await t.api('PUT', '/api/notebooks/bad', { body: { nbformat: 3, cells: [] } })).status).toBe(400);

    const rows = (await t.api('GET', '/api/notebooks')).json<NotebookRow[]>();
    expect(rows.map((r) => [r.name, r.running])).toEqual([
      ['Untitled', false],
      ['Untitled 2', false],
      ['imported', false],
    ]);
    expect(Number.isNaN(Date.parse(rows[0]?.modified ?? ''))).toBe(false);

    expect((await t.api('PATCH', '/api/notebooks/imported', { body: { name: 'Untitled' } })).status).toBe(409);
    expect((await t.api('PATCH', '/api/notebooks/imported', { body: { name: 'renamed' } })).json()).toEqual({ name: 'renamed' });
    expect((await t.api('GET', '/api/notebooks/imported')).status).toBe(404);
    expect((await t.api('GET', '/api/notebooks/renamed')).status).toBe(200);

    expect((await t.api('DELETE', '/api/notebooks/renamed')).status).toBe(204);
    expect((await t.api('DELETE', '/api/notebooks/renamed')).status).toBe(404);
    expect((await readdir(t.dir)).filter((f) => f.endsWith('.ipynb')).sort()).toEqual(['Untitled 2.ipynb', 'Untitled.ipynb']);
  });

  it('does not call a notebook running just because its kernel is up, and a browser sees an imported replacement after reconnecting', async () => {
    const t = await startTestServer();
    await t.api('PUT', '/api/notebooks/live', { body: IMPORTED });
    const client = await t.connect('live');
    expect(client.nb.cells.map((c) => c.id)).toEqual(['intro', 'calc']);
    await client.until((nb) => nb.kernel === 'idle');
    // "running" means a generation run is going on, which the sidebar marks; a live kernel alone is not one.
    expect((await t.api('GET', '/api/notebooks')).json<NotebookRow[]>()[0]?.running).toBe(false);

    const replaced = { ...IMPORTED, cells: [IMPORTED.cells[1]] };
    expect((await t.api('PUT', '/api/notebooks/live', { body: replaced })).status).toBe(200);
    expect((await client.closed()).reason).toBe('replaced');
    const again = await t.connect('live');
    expect(again.nb.cells.map((c) => c.id)).toEqual(['calc']);
  });

  it('renames an open notebook with its workdir; browsers are told to reconnect under the new name', async () => {
    const t = await startTestServer();
    await t.api('PUT', '/api/notebooks/before', { body: IMPORTED });
    const client = await t.connect('before');
    client.send({ type: 'edit-source', id: 'calc', source: 'open("data.txt", "w").write("kept")' });
    client.send({ type: 'run-cell', id: 'calc' });
    await client.until((nb) => nb.cells[1]?.executionCount !== null && nb.runtime.calc?.phase === 'idle');

    expect((await t.api('PATCH', '/api/notebooks/before', { body: { name: 'after' } })).status).toBe(200);
    expect(await client.closed()).toEqual({ code: 4001, reason: 'renamed to after' });
    expect(await readFile(join(t.dir, 'after.files', 'data.txt'), 'utf8')).toBe('kept');
    const again = await t.connect('after');
    expect(again.nb.cells[1]?.source).toContain('data.txt');
    expect(again.nb.kernel).toBe('idle');
    expect((await readdir(t.dir)).filter((f) => !f.startsWith('.')).sort()).toEqual(['after.files', 'after.ipynb']);
  });

  it('reports files that are not notebooks, skips them, and never writes over them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duet-broken-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const broken = { 'half.ipynb': '{"nbformat": 4, "cells": [', 'other.ipynb': '{"hello": "world"}' };
    for (const [f, text] of Object.entries(broken)) await writeFile(join(dir, f), text);
    const t = await startTestServer({ dir });

    const rows = (await t.api('GET', '/api/notebooks')).json<NotebookRow[]>();
    expect(rows.map((r) => r.name)).toEqual(['half', 'other']);
    expect(rows[0]?.error).toMatch(/not valid JSON/);
    expect(rows[1]?.error).toMatch(/not a notebook/);

    expect((await t.api('GET', '/api/notebooks/half')).status).toBe(422);
    expect((await t.api('PUT', '/api/notebooks/half', { body: IMPORTED })).status).toBe(409);
    expect((await t.api('POST', '/api/notebooks/other/runs', { body: { prompt: 'hi', modelA: 'demo-a', modelB: 'demo-b' } })).status).toBe(422);
    expect(await tryUpgrade(t.wsUrl('other'), { Authorization: `token ${t.token}` })).toEqual({ opened: false, status: 422 });
    for (const [f, text] of Object.entries(broken)) expect(await readFile(join(dir, f), 'utf8')).toBe(text);
  });
});

describe('names that would reach outside the notebooks folder', () => {
  const cases: { name: string; segment: string }[] = [
    { name: 'dot-dot', segment: '..' },
    { name: 'encoded slash', segment: '..%2F..%2Foutside' },
    { name: 'encoded dots', segment: '%2e%2e' },
    { name: 'encoded dots and slash', segment: '%2e%2e%2foutside' },
    { name: 'double-encoded', segment: '%252e%252e%252foutside' },
    { name: 'backslash', segment: '..%5Coutside' },
    { name: 'NUL', segment: 'outside%00.txt' },
    { name: 'absolute path', segment: '%2Ftmp%2Foutside' },
    { name: 'drive letter', segment: 'C%3A%5Coutside' },
    { name: 'hidden file', segment: '.outside' },
    { name: 'extension given', segment: 'outside.ipynb' },
    { name: 'broken encoding', segment: '%E0%A4%A' },
  ];

  async function setup(): Promise<{ t: TestServer; parent: string }> {
    const parent = await mkdtemp(join(tmpdir(), 'duet-traversal-'));
    onTestFinished(() => rm(parent, { recursive: true, force: true }));
    const dir = join(parent, 'notebooks');
    await mkdir(dir);
    await writeFile(join(parent, 'outside.ipynb'), JSON.stringify(IMPORTED));
    return { t: await startTestServer({ dir }), parent };
  }

  it.each(cases)('refuses $name ($segment) for every method, and touches nothing', async ({ segment }) => {
    const { t, parent } = await setup();
    const path = `/api/notebooks/${segment}`;
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', IMPORTED],
      ['DELETE', undefined],
      ['PATCH', { name: 'moved' }],
      ['POST', { prompt: 'hi' }],
    ] as const) {
      const res = await raw(t, method, method === 'POST' ? `${path}/runs` : path, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(JSON.parse(res.text)).toHaveProperty('error');
    }
    expect((await raw(t, 'PATCH', '/api/notebooks/x', { name: decodeURIComponentSafe(segment) })).status).toBe(400);
    expect((await t.api('POST', '/api/notebooks', { body: { name: decodeURIComponentSafe(segment) } })).status).toBe(400);
    expect(await tryUpgrade(`ws://127.0.0.1:${t.server.port}${path}/ws`, { Authorization: `token ${t.token}` })).toMatchObject({ opened: false });
    expect((await readdir(parent)).sort()).toEqual(['notebooks', 'outside.ipynb']);
    expect((await readdir(t.dir)).filter((f) => !f.startsWith('.'))).toEqual([]);
  });
});

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
