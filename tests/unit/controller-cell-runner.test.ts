/**
 * The cell runner against a scripted kernel: how each way a cell can end is
 * written into the document, and that every stop escalates until the cell is over.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { silentLogger } from '@duet/kernel';
import { CellRunner, NotebookDocument } from '@duet/server';
import type { NotebookCell } from '@duet/server/protocol';
import { FakeKernel, stdout, type FakeKernelOptions } from '../support/fake-kernel.ts';

/** A document with one cell of `role`, a fake kernel and a runner over both. */
function setup(role: 'code' | 'test', source: string, kernelOpts: FakeKernelOptions = {}, runnerOpts: { cellTimeoutMs?: number; interruptGraceMs?: number } = {}) {
  const doc = new NotebookDocument('fake');
  const cell = doc.addCell({ cellType: 'code', source, duet: { role, model: 'A', turn: 1, ...(role === 'test' ? { test: { status: 'not-run' as const } } : {}) } });
  const kernel = new FakeKernel(kernelOpts);
  const runner = new CellRunner({ doc, kernel, cellTimeoutMs: runnerOpts.cellTimeoutMs ?? 60_000, interruptGraceMs: runnerOpts.interruptGraceMs ?? 5_000, log: silentLogger });
  onTestFinished(() => runner.dispose());
  return { doc, kernel, runner, id: cell.id, cell: (): NotebookCell => doc.cell(cell.id) as NotebookCell };
}

function errorOf(cell: NotebookCell): { ename: string; evalue: string } | undefined {
  const e = cell.outputs.findLast((o) => o.output_type === 'error');
  return e?.output_type === 'error' ? { ename: e.ename, evalue: e.evalue } : undefined;
}

describe('CellRunner with a scripted kernel', () => {
  it('runs a passing test and marks it green', async () => {
    const { runner, id, cell } = setup('test', 'assert add(2, 3) == 5');
    const outcome = await runner.run(id);
    expect(outcome).toMatchObject({ kind: 'test', status: 'ok', testStatus: 'passed' });
    expect(cell().duet.test?.status).toBe('passed');
  });

  it('reports a test cell whose run throws as a test in error, not as a code cell', async () => {
    const { runner, id, cell, doc } = setup('test', 'assert ok()', { cells: { 'assert ok()': { kind: 'throw', error: new Error('the shell channel is closed') } } });
    const outcome = await runner.run(id);
    expect(outcome).toMatchObject({ kind: 'test', status: 'error', testStatus: 'error', text: 'the shell channel is closed' });
    expect(cell().duet.test?.status).toBe('error');
    expect(doc.runtime(id).phase).toBe('idle');
  });

  it('ends a cell whose kernel dies as died, and restarts the kernel', async () => {
    const { runner, kernel, id, cell } = setup('code', 'crash()', { cells: { 'crash()': { kind: 'die', outputs: [stdout('before\n')] } } });
    const outcome = await runner.run(id);
    expect(outcome).toMatchObject({ kind: 'code', status: 'died' });
    expect(errorOf(cell())?.ename).toBe('KernelDied');
    expect(kernel.restarts).toBe(1);
  });

  it('sends the interrupt again when the first is lost, and the cell ends without a restart', async () => {
    const { runner, kernel, id, cell } = setup('code', 'spin()', { loseInterrupts: 1, cells: { 'spin()': { kind: 'spin', outputs: [stdout('spinning\n')] } } });
    const done = runner.run(id);
    await expect.poll(() => kernel.state).toBe('busy');
    runner.interruptCurrent();
    const outcome = await done;
    expect(outcome.status).toBe('error');
    expect(errorOf(cell())?.ename).toBe('KeyboardInterrupt');
    expect(kernel.interrupts.length).toBeGreaterThanOrEqual(2);
    expect(kernel.restarts).toBe(0);
  });

  it('restarts a kernel that drops interrupt_reply and never lets the stopped cell end', async () => {
    const { runner, kernel, id, cell } = setup('code', 'deaf()', { dropInterruptReply: true, cells: { 'deaf()': { kind: 'deaf' } } }, { interruptGraceMs: 50 });
    const done = runner.run(id);
    await expect.poll(() => kernel.state).toBe('busy');
    runner.interruptCurrent();
    const outcome = await done;
    expect(outcome.status).toBe('error');
    expect(errorOf(cell())).toMatchObject({ ename: 'CellStopped', evalue: expect.stringContaining('the kernel was restarted') });
    expect(kernel.interrupts[0]).toBe('unanswered');
    expect(kernel.restarts).toBe(1);
  });

  it('stops at the time limit a cell that never goes idle, in words that name no command-line flag', async () => {
    const { runner, kernel, id, cell } = setup('code', 'deaf()', { cells: { 'deaf()': { kind: 'deaf' } } }, { cellTimeoutMs: 30, interruptGraceMs: 30 });
    const outcome = await runner.run(id);
    expect(outcome.status).toBe('timeout');
    const error = errorOf(cell());
    expect(error).toMatchObject({ ename: 'CellTimeout', evalue: expect.stringContaining('cell time limit') });
    expect(error?.evalue).not.toContain('--');
    expect(kernel.restarts).toBe(1);
  });

  it('stops a cell that Stop reached before it was sent to the kernel', async () => {
    const { runner, kernel, doc, id, cell } = setup('code', 'spin()', { cells: { 'spin()': { kind: 'spin' } } });
    // The kernel is down, so the runner restarts it before the cell is sent: Stop lands in between.
    await kernel.shutdown();
    const done = runner.run(id);
    expect(runner.current).toBe(id);
    runner.interruptCurrent();
    const outcome = await done;
    expect(outcome.status).toBe('error');
    expect(errorOf(cell())?.ename).toBe('KeyboardInterrupt');
    expect(doc.runtime(id).phase).toBe('idle');
  });
});
