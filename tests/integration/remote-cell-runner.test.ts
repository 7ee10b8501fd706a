/**
 * The limits Duet keeps itself, with the kernel on a gateway (a real Jupyter
 * Server started by this file): the cell time limit (interrupt through the
 * gateway, then restart when that does not help), Stop, and the output cap.
 * Isolation is the gateway's; these are Duet's.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { Gateway, RemoteKernel, silentLogger } from '@duet/kernel';
import { CellRunner, NotebookDocument } from '@duet/server';
import { useJupyterServer } from '../support/jupyter-server.ts';
import { nextEvent } from '../support/scripted-run.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

const server = useJupyterServer();

async function setup(o: { cellTimeoutMs: number; interruptGraceMs?: number; url?: string }): Promise<{ doc: NotebookDocument; runner: CellRunner; kernel: RemoteKernel }> {
  const kernel = new RemoteKernel({ gateway: new Gateway({ url: o.url ?? server().url, token: server().token }), kernelName: 'python3', workdir: server().rootDir, reconnectMs: 60_000 });
  onTestFinished(() => kernel.shutdown());
  await kernel.start();
  const doc = new NotebookDocument('remote-limits');
  const runner = new CellRunner({ doc, kernel, cellTimeoutMs: o.cellTimeoutMs, ...(o.interruptGraceMs !== undefined ? { interruptGraceMs: o.interruptGraceMs } : {}), log: silentLogger });
  onTestFinished(() => runner.dispose());
  return { doc, runner, kernel };
}

function code(doc: NotebookDocument, source: string): string {
  return doc.addCell({ cellType: 'code', source, duet: { role: 'code', model: null, turn: 0 } }).id;
}

function errorNames(doc: NotebookDocument, id: string): string[] {
  return (doc.cell(id)?.outputs ?? []).flatMap((o) => (o.output_type === 'error' ? [o.ename] : []));
}

describe('Duet’s own limits on a kernel on a gateway', () => {
  it('a cell past the time limit is interrupted through the gateway, and the kernel keeps its variables', async () => {
    const { doc, runner } = await setup({ cellTimeoutMs: 1500 });
    await runner.run(code(doc, 'kept = 7'));
    const slow = code(doc, 'while True: pass');
    const outcome = await runner.run(slow);
    expect(outcome.status).toBe('timeout');
    expect(errorNames(doc, slow)).toEqual(['CellTimeout']);
    expect((await runner.run(code(doc, 'print(kept)'))).text).toContain('7');
  });

  it('a cell that ignores the interrupt is ended by restarting the kernel on the gateway', async () => {
    const { doc, runner, kernel } = await setup({ cellTimeoutMs: 1500, interruptGraceMs: 1500 });
    const id = kernel.kernelId;
    const notices: string[] = [];
    doc.on((e) => {
      if (e.type === 'notice') notices.push(e.message);
    });
    const stubborn = code(doc, ['import signal', 'signal.signal(signal.SIGINT, lambda *a: None)', 'while True: pass'].join('\n'));
    const outcome = await runner.run(stubborn);
    expect(outcome.status).toBe('timeout');
    expect(notices.some((n) => /restarted/.test(n))).toBe(true);
    // The same kernel on the gateway, restarted: no second kernel was left behind.
    expect(kernel.kernelId).toBe(id);
    expect((await server().kernels()).filter((k) => k.id === id)).toHaveLength(1);
    expect((await runner.run(code(doc, 'print("fresh")'))).text).toContain('fresh');
  });

  it('Stop ends a running cell through the gateway', async () => {
    const { doc, runner } = await setup({ cellTimeoutMs: 120_000 });
    const cell = code(doc, 'import time\nfor _ in range(600):\n    time.sleep(0.1)');
    const running = nextEvent(doc, (e) => e.type === 'cell-runtime' && e.id === cell && e.runtime.phase === 'running');
    const outcome = runner.run(cell);
    await running;
    runner.interruptCurrent();
    expect((await outcome).status).not.toBe('timeout');
    expect(errorNames(doc, cell).some((e) => e === 'KeyboardInterrupt' || e === 'CellStopped')).toBe(true);
  });

  it('a kernel lost mid-cell fails that cell as lost, the notebook says so, and the next cell runs in a new kernel', async () => {
    const target = new URL(server().url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    onTestFinished(() => proxy.close());
    const { doc, runner, kernel } = await setup({ cellTimeoutMs: 120_000, url: proxy.url });
    const notices: string[] = [];
    doc.on((e) => {
      if (e.type === 'notice') notices.push(e.message);
    });
    const lostId = kernel.kernelId as string;
    const cell = code(doc, "import time\nprint('working', flush=True)\ntime.sleep(600)");
    const printed = nextEvent(doc, (e) => (e.type === 'output-appended' || e.type === 'outputs-set') && e.id === cell);
    const outcome = runner.run(cell);
    await printed;
    proxy.refuse(true);
    proxy.cutAll();
    await fetch(`${server().url}/api/kernels/${lostId}`, { method: 'DELETE', headers: { Authorization: `token ${server().token}` } });
    proxy.refuse(false);
    expect((await outcome).status).toBe('died');
    expect(errorNames(doc, cell)).toEqual(['KernelLost']);
    expect(notices.some((n) => /restarted because the remote kernel was lost/.test(n))).toBe(true);
    expect(kernel.kernelId).not.toBe(lostId);
    expect((await runner.run(code(doc, 'print("new kernel")'))).text).toContain('new kernel');
  });

  it('a flood of output is cut at the cell’s output cap', async () => {
    const { doc, runner } = await setup({ cellTimeoutMs: 60_000 });
    const flood = code(doc, "for i in range(200_000):\n    print('line', i, 'x' * 40)");
    await runner.run(flood);
    const bytes = JSON.stringify(doc.cell(flood)?.outputs ?? []).length;
    expect(bytes).toBeLessThan(doc.limits.cellOutputBytes * 1.1);
    expect(JSON.stringify(doc.cell(flood)?.outputs)).toMatch(/cut|limit/i);
  });
});
