import { readFile, readdir } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/duet-server.ts';
import { startModels } from '../support/model-answers.ts';

interface HealthKernels {
  kernels: { live: number; warm: number; openNotebooks: number };
}

const health = async (t: TestServer): Promise<HealthKernels['kernels']> => (await t.api('GET', '/api/health')).json<HealthKernels>().kernels;

describe('the server over time', () => {
  it('shuts the kernel of a notebook nobody watches down after the idle time, and opens it again on demand', async () => {
    const t = await startTestServer({ deps: { idleKernelMs: 300, warmKernels: 0 } });
    await t.api('POST', '/api/notebooks', { body: { name: 'idle' } });
    const client = await t.connect('idle');
    client.send({ type: 'add-cell', index: 0, cellType: 'code' });
    await client.until((nb) => nb.cells.length === 1 && nb.kernel === 'idle');
    expect(await health(t)).toMatchObject({ live: 1, openNotebooks: 1 });

    client.close();
    await client.closed();
    await expect.poll(() => health(t), { timeout: 10_000 }).toMatchObject({ live: 0, openNotebooks: 0 });
    expect((await t.api('GET', '/api/notebooks')).json<{ running: boolean }[]>()[0]?.running).toBe(false);

    const again = await t.connect('idle');
    expect(again.nb.cells).toHaveLength(1);
    expect(again.nb.kernel).toBe('idle');
  });

  it("keeps a notebook's kernel in the notebook's folder across restarts", async () => {
    const t = await startTestServer();
    await t.api('POST', '/api/notebooks', { body: { name: 'home' } });
    const client = await t.connect('home');
    client.send({ type: 'add-cell', index: 0, cellType: 'code' });
    await client.until((nb) => nb.cells.length === 1);
    const id = client.nb.cells[0]?.id ?? '';
    const run = async (source: string): Promise<string> => {
      client.send({ type: 'edit-source', id, source });
      client.send({ type: 'run-cell', id });
      let started = false;
      await client.until((nb) => {
        started ||= nb.runtime[id]?.phase === 'running';
        return started && nb.runtime[id]?.phase === 'idle';
      });
      const out = client.nb.cells[0]?.outputs[0];
      return out?.output_type === 'stream' ? out.text : JSON.stringify(out);
    };

    expect(await run('print(open("before.txt", "w").write("abc"))')).toBe('3\n');
    expect((await t.api('POST', '/api/notebooks/home/kernel/restart')).status).toBe(200);
    expect(await run('print(open("before.txt").read()); open("after.txt", "w").write("x")')).toBe('abc\n');
    expect((await readdir(join(t.dir, 'home.files'))).sort()).toEqual(['after.txt', 'before.txt']);
  });

  it('drops a browser that stops reading, without holding up the others; it comes back with a fresh snapshot', async () => {
    const t = await startTestServer({ deps: { maxBufferedBytes: 256 * 1024 } });
    await t.api('POST', '/api/notebooks', { body: { name: 'slow' } });
    const writer = await t.connect('slow');
    const stalled = await t.connect('slow');
    // ws has no public way to stop reading; pausing its socket is what a frozen tab looks like to the server.
    (stalled.ws as unknown as { _socket: Socket })._socket.pause();
    writer.send({ type: 'add-cell', index: 0, cellType: 'markdown' });
    await writer.until((nb) => nb.cells.length === 1);
    const id = writer.nb.cells[0]?.id ?? '';

    let round = 0;
    const big = (n: number): string => `${n} `.padEnd(512 * 1024, 'x');
    await expect
      .poll(
        async () => {
          round += 1;
          writer.send({ type: 'edit-source', id, source: big(round) });
          await writer.until((nb) => nb.cells[0]?.source.startsWith(`${round} `) ?? false);
          return droppedInLog(t);
        },
        { timeout: 30_000, interval: 10 },
      )
      .toBe(true);

    (stalled.ws as unknown as { _socket: Socket })._socket.resume();
    await stalled.closed();
    const back = await t.connect('slow');
    expect(back.nb.cells[0]?.source.startsWith(`${round} `)).toBe(true);
    expect(writer.protocolFaults).toEqual([]);
  });

  it('on close, stops the run, saves the notebook and shuts its kernel down', async () => {
    const models = await startModels(() => [{ type: 'content', text: 'Thinking about it.\n\nRUN-CODE\n```python\nz = 3\n' }, { type: 'stall' }]);
    const t = await startTestServer({ config: { baseUrl: models.baseUrl } });
    await t.api('POST', '/api/notebooks', { body: { name: 'closing' } });
    const client = await t.connect('closing');
    client.send({ type: 'start-run', prompt: 'Anything.', modelA: 'model-a', modelB: 'model-b' });
    await client.until((nb) => nb.cells.some((c) => c.source.includes('z = 3')));

    await t.server.close();
    expect((await client.closed()).code).toBe(1001);
    const saved = JSON.parse(await readFile(join(t.dir, 'closing.ipynb'), 'utf8')) as { metadata: { duet: { halted: string } }; cells: { source: string[] }[] };
    expect(saved.metadata.duet.halted).toBe('stopped');
    expect(saved.cells.some((c) => c.source.join('').includes('z = 3'))).toBe(true);
    await models.whenAllStreamsClosed();
  });
});

/** Whether the server logged dropping a browser that fell behind. */
async function droppedInLog(t: TestServer): Promise<boolean> {
  const files = await readdir(t.logDir);
  const text = (await Promise.all(files.map((f) => readFile(join(t.logDir, f), 'utf8')))).join('');
  return text.includes('dropped a browser that fell behind');
}
