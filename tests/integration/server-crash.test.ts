import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { fromIpynb, waitForServeUrl } from '@duet/server';
import { NotebookClient, PYTHON, cellsOf, startTestServer } from '../support/duet-server.ts';
import { answer, startModels } from '../support/model-answers.ts';
import { childrenOf, isRunning } from '../support/processes.ts';

const DUET_BIN = fileURLToPath(new URL('../../apps/server/bin/duet.js', import.meta.url));
const TOKEN = 'crash-test-token';

/** Starts `duet serve` in a child process; resolves with its port once it prints its URL. */
async function serveInChild(dir: string, baseUrl: string, cwd: string): Promise<{ child: ChildProcess; port: number }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DUET_')));
  const child = spawn(process.execPath, [DUET_BIN, 'serve', '--port', '0', '--notebooks', dir, '--python', PYTHON, '--base-url', baseUrl, '--token', TOKEN, '--allow-unsandboxed'], {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const { port } = await waitForServeUrl(child);
  return { child, port };
}



describe('a server killed during a run', () => {
  it('leaves the notebook intact as of its last autosave, leaves no kernel behind, and a new server opens it', async () => {
    const models = await startModels(() => [
      { type: 'content', text: answer({ code: 'total = 21 * 2\nprint(total)', tests: ['assert total == 42'] }) },
      { type: 'content', text: 'Now a second test.\n\nTEST-ASSERT\n```python\nassert total' },
      // The model stalls mid-block: the run is in progress when the server dies.
      { type: 'stall' },
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'duet-crash-'));
    const cwd = await mkdtemp(join(tmpdir(), 'duet-crash-cwd-'));
    onTestFinished(() => Promise.all([rm(dir, { recursive: true, force: true }), rm(cwd, { recursive: true, force: true })]).then(() => undefined));
    const { child, port } = await serveInChild(dir, models.baseUrl, cwd);
    const base = `http://127.0.0.1:${port}`;
    const auth = { Authorization: `token ${TOKEN}` };

    expect((await fetch(`${base}/api/notebooks`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"name":"crash"}' })).status).toBe(201);
    const client = await NotebookClient.connect(`ws://127.0.0.1:${port}/api/notebooks/crash/ws`, auth);
    onTestFinished(() => client.close());
    client.send({ type: 'start-run', prompt: 'Compute 42.', modelA: 'model-a', modelB: 'model-b' });
    await client.until((nb) => nb.cells.some((c) => c.duet.test?.status === 'passed') && nb.cells.some((c) => c.source.endsWith('assert total')));
    expect(client.nb.run.active).toBe(true);

    const expected = cellsOf(client.nb);
    const saved = async (): Promise<unknown[]> => cellsOf(fromIpynb('crash', JSON.parse(await readFile(join(dir, 'crash.ipynb'), 'utf8'))).snapshot());
    await expect.poll(saved).toEqual(expected);

    const kernels = childrenOf(child.pid ?? -1);
    expect(kernels.length).toBeGreaterThan(0);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await expect.poll(() => kernels.filter(isRunning), { timeout: 10_000 }).toEqual([]);

    const again = await startTestServer({ dir });
    const rows = (await again.api('GET', '/api/notebooks')).json<{ name: string; error?: string }[]>();
    expect(rows).toEqual([expect.objectContaining({ name: 'crash' })]);
    expect(rows[0]?.error).toBeUndefined();
    const reopened = await again.connect('crash');
    expect(cellsOf(reopened.nb)).toEqual(expected);
  });
});
