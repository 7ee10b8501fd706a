/**
 * One cell must not be able to exhaust the server's memory. Cells written as a
 * hostile model would write them run through the server's own HTTP API on a real
 * kernel, and are judged from outside the kernel: the server's heap (in this very
 * process, after a full collection), the cell's outputs as the API serves them,
 * the saved .ipynb, and whether another notebook still runs.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTEBOOK_LIMITS } from '@duet/server';
import { startTestServer, type TestServer } from '../support/duet-server.ts';

const CELL_CAP = DEFAULT_NOTEBOOK_LIMITS.cellOutputBytes;

setFlagsFromString('--expose-gc');
/** A full garbage collection, so what the heap holds afterwards is what the server keeps. */
const collect = runInNewContext('gc') as () => void;

/** Bytes the server holds: the JS heap and the buffers outside it (ZeroMQ frames, sockets). */
function held(): number {
  collect();
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

interface SavedOutput {
  output_type: string;
  ename?: string;
  evalue?: string;
  text?: string[] | string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

interface SavedCell {
  id: string;
  cell_type: string;
  execution_count?: number | null;
  outputs?: SavedOutput[];
}

/** Python cells as a hostile model writes them. */
const ATTACKS = {
  /** 200 displays that share one id, then updates: each update would copy itself into all 200. */
  amplify: [
    'from IPython.display import display, update_display',
    'for i in range(200):',
    "    display({'text/plain': '.'}, raw=True, display_id='same')",
    'for i in range(20):',
    "    update_display({'text/plain': str(i) + 'x' * 1_000_000}, raw=True, display_id='same')",
  ].join('\n'),
  /** One display updated in a loop with large frames, each of which fits: 100 MB pass through. */
  updates: [
    'from IPython.display import display',
    "handle = display({'text/plain': 'start'}, raw=True, display_id=True)",
    'for i in range(200):',
    "    handle.update({'text/plain': f'frame {i} ' + 'y' * 500_000}, raw=True)",
    "print('updates done')",
  ].join('\n'),
  /** A four-byte output that carries 40 MB of metadata. */
  metadata: ["from IPython.display import display", "display({'text/plain': 'tiny'}, raw=True, metadata={'junk': 'z' * 40_000_000})"].join('\n'),
  /** An execute result far larger than the cap. */
  result: ['class Big:', '    def __repr__(self):', "        return 'r' * 5_000_000", 'Big()'].join('\n'),
  /** An error whose value and traceback are far larger than the cap. */
  traceback: "raise ValueError('v' * 5_000_000)",
  /** Print far past the cap in one go: the text is cut where the cap falls. */
  print: ["import sys", "sys.stdout.write('s' * 20_000_000)", "sys.stdout.flush()"].join('\n'),
};

type Attack = keyof typeof ATTACKS;

function codeCell(id: string, source: string): Record<string, unknown> {
  return { cell_type: 'code', id, metadata: {}, source, execution_count: null, outputs: [] };
}

async function putNotebook(t: TestServer, name: string, cells: Record<string, unknown>[]): Promise<void> {
  const res = await t.api('PUT', `/api/notebooks/${name}`, { body: { nbformat: 4, nbformat_minor: 5, metadata: {}, cells } });
  expect(res.status, res.text).toBeLessThan(300);
}

async function cellNow(t: TestServer, name: string, id: string): Promise<SavedCell> {
  const res = await t.api('GET', `/api/notebooks/${name}`);
  const cell = res.json<{ cells: SavedCell[] }>().cells.find((c) => c.id === id);
  if (!cell) throw new Error(`no cell ${id} in ${name}`);
  return cell;
}

/** Runs a cell through the API and resolves with it once it has finished (its execution count is set at the end). */
async function runCell(t: TestServer, name: string, id: string): Promise<SavedCell> {
  const res = await t.api('POST', `/api/notebooks/${name}/cells/${id}/run`);
  expect(res.status, res.text).toBe(202);
  await expect.poll(async () => (await cellNow(t, name, id)).execution_count ?? null, { timeout: 60_000, interval: 200 }).not.toBeNull();
  return cellNow(t, name, id);
}

const errorsOf = (cell: SavedCell): SavedOutput[] => (cell.outputs ?? []).filter((o) => o.output_type === 'error');
const textOf = (cell: SavedCell): string => (cell.outputs ?? []).map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? ''))).join('');

interface Ran {
  errors: SavedOutput[];
  /** The printed text when short, else its length. */
  text: string | number;
  firstPlain: string;
  json: number;
}

/** What a test needs of a finished cell, so the test itself keeps none of its outputs. */
function summary(cell: SavedCell): Ran {
  return {
    errors: errorsOf(cell),
    text: textOf(cell).length > 100 ? textOf(cell).length : textOf(cell),
    firstPlain: String(cell.outputs?.[0]?.data?.['text/plain'] ?? '').slice(0, 20),
    json: JSON.stringify(cell).length,
  };
}

describe("one cell and the server's memory", () => {
  it('keeps every attack inside one cap per cell: the heap stays bounded, the file small, the cell told why, and another notebook runs', async () => {
    const t = await startTestServer();
    const attacks = Object.keys(ATTACKS) as Attack[];
    await putNotebook(t, 'flood', [codeCell('warm', "print('warm')"), ...attacks.map((a) => codeCell(a, ATTACKS[a])), codeCell('calm', "print('calm')")]);
    await putNotebook(t, 'other', [codeCell('warm', "print('warm')"), codeCell('answer', 'print(6 * 7)')]);
    // Both kernels started and every code path warmed before the baseline.
    await runCell(t, 'flood', 'warm');
    await runCell(t, 'other', 'warm');
    const baseline = held();

    const ran = {} as Record<Attack, Ran>;
    for (const attack of attacks) ran[attack] = summary(await runCell(t, 'flood', attack));
    // The kernel client holds on to the last message of each channel until the next
    // one comes (and to a reply for a moment after its request ends): a small cell
    // after the attacks lets go of the last one, which is as large as a message may be.
    await runCell(t, 'flood', 'calm');

    // What the server keeps settles at about one cap for each cell that reached it,
    // whatever passed through (about 190 MB here).
    await expect.poll(() => held() - baseline, { timeout: 10_000, interval: 250 }).toBeLessThan(3 * CELL_CAP);

    for (const attack of ['amplify', 'metadata', 'result', 'traceback', 'print'] as const) {
      const cut = ran[attack].errors.find((e) => e.ename === 'OutputLimit');
      expect(cut?.evalue, attack).toMatch(/output cut at 2 MB, the limit for one cell\..*write large results to a file in the working folder/);
    }
    // Printed text is kept up to the cap, the rest dropped.
    expect(ran.print.text).toBeGreaterThan(CELL_CAP * 0.9);
    expect(ran.print.text).toBeLessThanOrEqual(CELL_CAP);
    // A display updated in a loop replaces itself: it fits, and the last frame is what is kept.
    expect(ran.updates.errors).toEqual([]);
    expect(ran.updates.text).toBe('updates done\n');
    expect(ran.updates.firstPlain).toBe('frame 199 yyyyyyyyyy');
    // Nothing of the 40 MB of metadata was kept.
    expect(ran.metadata.json).toBeLessThan(10_000);

    // The saved notebook holds what the document holds: a few caps at most, not what was sent.
    const file = join(t.dir, 'flood.ipynb');
    await expect.poll(async () => (JSON.parse(await readFile(file, 'utf8')) as { cells: SavedCell[] }).cells.every((c) => c.execution_count !== null), { timeout: 10_000 }).toBe(true);
    expect((await stat(file)).size).toBeLessThan(2 * CELL_CAP);

    // The other notebook, on the same server, still runs.
    expect(textOf(await runCell(t, 'other', 'answer'))).toBe('42\n');
  }, 240_000);
});
