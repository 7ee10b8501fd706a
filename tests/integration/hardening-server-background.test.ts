/**
 * A thread a cell starts can keep burning CPU after the cell returns "ok". The
 * server says so (the kernel shows as busy while no cell runs), an interrupt
 * says what it can and cannot reach, and a restart ends the work: judged from
 * outside the kernel, by the notebook's events and the kernel process itself.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { KernelSession } from '@duet/kernel';
import type { NotebookSnapshot, ServerMessage } from '@duet/server/protocol';
import { BackgroundWatch } from '@duet/server';
import { startTestServer } from '../support/duet-server.ts';
import { childrenOf, isRunning } from '../support/processes.ts';

const SPIN = [
  'import threading',
  'def spin():',
  '    n = 0',
  '    while True:',
  '        n += 1',
  'threading.Thread(target=spin, daemon=True).start()',
  "print('started')",
].join('\n');



const noCellActive = (nb: NotebookSnapshot): boolean => Object.values(nb.runtime).every((r) => r.phase === 'idle' || r.phase === 'streaming');
const notices = (messages: ServerMessage[]): string[] =>
  messages.flatMap((m) => (m.type === 'event' && m.event.type === 'notice' ? [m.event.message] : []));

describe('a thread left running by a cell', () => {
  it('shows the kernel busy outside any cell, says an interrupt cannot reach it, and a restart ends it', async () => {
    // No spare kernels: the only kernel this process starts is the notebook's.
    const before = new Set(childrenOf(process.pid));
    const t = await startTestServer({ deps: { warmKernels: 0 } });
    const put = await t.api('PUT', '/api/notebooks/spin', {
      body: { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', id: 'spin', metadata: {}, source: SPIN, execution_count: null, outputs: [] }] },
    });
    expect(put.status).toBe(201);
    const client = await t.connect('spin');
    const [kernel] = childrenOf(process.pid).filter((pid) => !before.has(pid));
    expect(kernel).toBeDefined();

    client.send({ type: 'run-cell', id: 'spin' });
    await client.until((nb) => nb.cells[0]?.executionCount !== null && noCellActive(nb));
    expect(client.nb.cells[0]?.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'started\n' }]);

    // The cell is over and said "ok"; the kernel is still at work, and the notebook says so.
    await client.until((nb) => nb.kernel === 'busy' && noCellActive(nb));

    client.send({ type: 'interrupt' });
    await client.until(() => notices(client.messages).some((n) => /busy outside any cell.*restart the kernel to stop it/.test(n)));
    // Python interrupts only the main thread: the work goes on.
    await client.until((nb) => nb.kernel === 'busy' && noCellActive(nb));

    client.send({ type: 'restart' });
    await client.until((nb) => nb.kernel === 'restarting');
    await client.until((nb) => nb.kernel === 'idle');
    await expect.poll(() => isRunning(kernel as number), { timeout: 10_000 }).toBe(false);
  }, 90_000);

  it('is told apart from a kernel that only waits: the same watch, side by side, flags only the one that spins', async () => {
    const start = (code: string): number => {
      const child = spawn('/usr/bin/python3', ['-c', code], { stdio: 'ignore' });
      onTestFinished(() => void child.kill('SIGKILL'));
      return child.pid as number;
    };
    const verdicts = { spinning: [] as boolean[], waiting: [] as boolean[] };
    const watch = (pid: number, into: boolean[]): BackgroundWatch => {
      // Only what the watch reads of a kernel: its process and its reported state.
      const kernel = { pid, state: 'idle' } as unknown as KernelSession;
      const w = new BackgroundWatch({ kernel, quiet: () => true, onChange: (busy) => into.push(busy), intervalMs: 100 });
      w.start();
      onTestFinished(() => w.stop());
      return w;
    };
    watch(start('import time\ntime.sleep(60)'), verdicts.waiting);
    const spinning = watch(start(SPIN + '\nimport time\ntime.sleep(60)'), verdicts.spinning);

    await expect.poll(() => spinning.busy, { timeout: 10_000 }).toBe(true);
    // Sampled as often, over the same time, the waiting one was never called busy.
    expect(verdicts.waiting).toEqual([]);
  });
});
