/**
 * Interrupts while the machine is busy: two CPU hogs run beside a real kernel,
 * and a cell is stopped at the moment it starts, again and again. On a loaded
 * two-core machine an interrupt can land before the cell's code begins and be
 * lost; every stop must still end the cell, and the kernel must stay usable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@duet/kernel';
import { CellRunner, NotebookDocument } from '@duet/server';
import { nextEvent, useSharedKernel } from '../support/scripted-run.ts';

const shared = useSharedKernel();
const hogs: ChildProcess[] = [];

beforeAll(() => {
  // Busy loops in their own processes, one per core.
  for (let i = 0; i < 2; i++) hogs.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
});

afterAll(() => {
  for (const h of hogs) h.kill('SIGKILL');
});

describe('with two CPU hogs beside the kernel', () => {
  it('stops a cell the moment it starts, every time, and the kernel goes on', async () => {
    const doc = new NotebookDocument('load');
    const runner = new CellRunner({ doc, kernel: shared.kernel, cellTimeoutMs: 120_000, interruptGraceMs: 10_000, log: silentLogger });
    try {
      for (let round = 0; round < 5; round++) {
        const cell = doc.addCell({ cellType: 'code', source: 'import time\nfor _ in range(600):\n    time.sleep(0.1)', duet: { role: 'code', model: null, turn: 0 } });
        const running = nextEvent(doc, (e) => e.type === 'cell-runtime' && e.id === cell.id && e.runtime.phase === 'running');
        const outcome = runner.run(cell.id);
        await running;
        runner.interruptCurrent();
        const ended = await outcome;
        const errors = (doc.cell(cell.id)?.outputs ?? []).flatMap((o) => (o.output_type === 'error' ? [o.ename] : []));
        expect(ended.status, `round ${round}`).not.toBe('timeout');
        expect(errors.some((e) => e === 'KeyboardInterrupt' || e === 'CellStopped'), `round ${round}: ${errors.join(', ')}`).toBe(true);
      }
      const check = doc.addCell({ cellType: 'code', source: 'print(6 * 7)', duet: { role: 'code', model: null, turn: 0 } });
      expect((await runner.run(check.id)).text).toContain('42');
    } finally {
      runner.dispose();
    }
  });
});
