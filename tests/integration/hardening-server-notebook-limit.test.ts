/**
 * A notebook's total is bounded too: outputs that would take it past its limit
 * are cut with an error that says so, and edits, new cells, imports and files on
 * disk past it are refused with a reason, leaving what was there as it was.
 * Small limits keep the test quick; the server is the real one, on a real kernel.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CELL_BYTES } from '@duet/server';
import { startTestServer, tryUpgrade, type TestServer } from '../support/duet-server.ts';

const LIMITS = { cellOutputBytes: 512 * 1024, notebookBytes: 1024 * 1024 };

interface SavedCell {
  id: string;
  execution_count?: number | null;
  source?: string[] | string;
  outputs?: { output_type: string; ename?: string; evalue?: string; text?: string[] }[];
}

function codeCell(id: string, source: string): Record<string, unknown> {
  return { cell_type: 'code', id, metadata: {}, source, execution_count: null, outputs: [] };
}

function notebook(cells: Record<string, unknown>[]): Record<string, unknown> {
  return { nbformat: 4, nbformat_minor: 5, metadata: {}, cells };
}

async function start(): Promise<TestServer> {
  return startTestServer({ deps: { notebookLimits: LIMITS } });
}

async function cellNow(t: TestServer, name: string, id: string): Promise<SavedCell> {
  const cell = (await t.api('GET', `/api/notebooks/${name}`)).json<{ cells: SavedCell[] }>().cells.find((c) => c.id === id);
  if (!cell) throw new Error(`no cell ${id}`);
  return cell;
}

async function runCell(t: TestServer, name: string, id: string): Promise<SavedCell> {
  expect((await t.api('POST', `/api/notebooks/${name}/cells/${id}/run`)).status).toBe(202);
  await expect.poll(async () => (await cellNow(t, name, id)).execution_count ?? null, { timeout: 30_000, interval: 100 }).not.toBeNull();
  return cellNow(t, name, id);
}

const cutOf = (cell: SavedCell) => cell.outputs?.find((o) => o.output_type === 'error' && o.ename === 'OutputLimit');

describe("a notebook's total", () => {
  it('cuts the output of a cell that would take the notebook past its limit, says so, and the file stays within it', async () => {
    const t = await start();
    const print = (id: string) => codeCell(id, "print('p' * 400_000)");
    expect((await t.api('PUT', '/api/notebooks/full', { body: notebook([print('one'), print('two'), print('three')]) })).status).toBe(201);

    expect(cutOf(await runCell(t, 'full', 'one'))).toBeUndefined();
    expect(cutOf(await runCell(t, 'full', 'two'))).toBeUndefined();
    const three = await runCell(t, 'full', 'three');

    expect(cutOf(three)?.evalue).toMatch(/the notebook holds 1 MB of sources and outputs, its limit.*Delete cells you no longer need/);
    const file = join(t.dir, 'full.ipynb');
    await expect.poll(async () => (JSON.parse(await readFile(file, 'utf8')) as { cells: SavedCell[] }).cells.every((c) => c.execution_count !== null), { timeout: 10_000 }).toBe(true);
    expect((await stat(file)).size).toBeLessThan(LIMITS.notebookBytes * 1.1);
  });

  it('refuses an edit or a new cell past the limit with the reason, and keeps an edit that shrinks the notebook', async () => {
    const t = await start();
    expect((await t.api('PUT', '/api/notebooks/edits', { body: notebook([codeCell('big', 'x = 1\n' + '#'.repeat(900_000))]) })).status).toBe(201);
    const client = await t.connect('edits');

    const refused = client.nextError();
    client.send({ type: 'edit-source', id: 'big', source: 'y'.repeat(1_200_000) });
    expect(await refused).toMatch(/That edit was not kept: the notebook would hold more than the 1 MB .*Delete cells you no longer need/);
    expect(client.nb.cells[0]?.source.startsWith('x = 1\n')).toBe(true);

    // More cells than the whole limit could hold even empty.
    for (let i = 0; i <= LIMITS.notebookBytes / CELL_BYTES; i++) client.send({ type: 'add-cell', index: 0, cellType: 'code' });
    await client.until(() => client.errors.length > 1);
    expect(client.errors[1]).toMatch(/No cell was added: the notebook would hold more than the 1 MB/);

    client.send({ type: 'edit-source', id: 'big', source: 'x = 2' });
    await client.until((nb) => nb.cells.find((c) => c.id === 'big')?.source === 'x = 2');
  });

  it('refuses to import a notebook past the limit, and leaves the one of that name as it was', async () => {
    const t = await start();
    expect((await t.api('PUT', '/api/notebooks/kept', { body: notebook([codeCell('a', 'print(1)')]) })).status).toBe(201);
    const before = await readFile(join(t.dir, 'kept.ipynb'), 'utf8');

    const res = await t.api('PUT', '/api/notebooks/kept', { body: notebook([codeCell('a', 'z'.repeat(1_500_000))]) });

    expect(res.status).toBe(413);
    expect(res.json<{ error: string }>().error).toMatch(/That notebook was not imported: it holds 1.4 MB of sources and outputs, more than the 1 MB a notebook may hold in Duet\. Clear its outputs/);
    expect(await readFile(join(t.dir, 'kept.ipynb'), 'utf8')).toBe(before);
  });

  it('lists a file past the limit with the reason and never opens it', async () => {
    const t = await start();
    const huge = notebook([codeCell('a', 'print(1)'), { ...codeCell('b', ''), outputs: [{ output_type: 'stream', name: 'stdout', text: 'o'.repeat(3_000_000) }] }]);
    await writeFile(join(t.dir, 'huge.ipynb'), JSON.stringify(huge));

    const rows = (await t.api('GET', '/api/notebooks')).json<{ name: string; error?: string }[]>();
    expect(rows.find((r) => r.name === 'huge')?.error).toMatch(/too large: the file is 2.9 MB, more than the 1 MB a notebook may hold in Duet/);
    expect((await t.api('GET', '/api/notebooks/huge')).status).toBe(422);
    expect(await tryUpgrade(t.wsUrl('huge'), { Authorization: `token ${t.token}` })).toEqual({ opened: false, status: 422 });
    expect((await stat(join(t.dir, 'huge.ipynb'))).size).toBeGreaterThan(3_000_000);
  });
});
