import { describe, expect, it } from 'vitest';
import type { CellRuntime, DocumentEvent } from '@duet/server/protocol';
import { CALM, watchKernel, type KernelWatch } from '@duet/notebook';

const runtime = (phase: CellRuntime['phase']): CellRuntime => ({ phase, startedAt: null, lastDurationMs: null });
const ran = (id: string): DocumentEvent[] => [
  { type: 'cell-runtime', id, runtime: runtime('running') },
  { type: 'cell-runtime', id, runtime: runtime('idle') },
];
const failed = (id: string): DocumentEvent[] => [
  { type: 'cell-runtime', id, runtime: runtime('running') },
  { type: 'output-appended', id, output: { output_type: 'error', ename: 'KernelDied', evalue: 'gone', traceback: [] } },
  { type: 'cell-runtime', id, runtime: runtime('idle') },
];

function after(events: DocumentEvent[], from: KernelWatch = CALM): KernelWatch {
  return events.reduce(watchKernel, from);
}

describe('the kernel’s trouble, as the banners follow it', () => {
  it('begins when the kernel dies or restarts', () => {
    expect(after([{ type: 'kernel-state', kernel: 'dead' }]).troubled).toBe(true);
    expect(after([{ type: 'kernel-state', kernel: 'restarting' }]).troubled).toBe(true);
    expect(after([{ type: 'kernel-state', kernel: 'busy' }])).toBe(CALM);
  });

  it('lasts through the restart and the cell that crashed it', () => {
    const watch = after([{ type: 'kernel-state', kernel: 'dead' }, { type: 'kernel-state', kernel: 'restarting' }, { type: 'kernel-state', kernel: 'idle' }, ...failed('crash')]);
    expect(watch.troubled).toBe(true);
  });

  it('ends once a cell runs without an error', () => {
    const watch = after([{ type: 'kernel-state', kernel: 'dead' }, { type: 'kernel-state', kernel: 'idle' }, ...failed('crash'), ...ran('fine')]);
    expect(watch).toBe(CALM);
  });

  it('does not end for a cell that was queued and never ran', () => {
    const watch = after([{ type: 'kernel-state', kernel: 'dead' }, { type: 'cell-runtime', id: 'q', runtime: runtime('idle') }]);
    expect(watch.troubled).toBe(true);
  });

  it('counts a cell that failed before and runs fine now', () => {
    const watch = after([{ type: 'kernel-state', kernel: 'restarting' }, ...failed('x'), ...ran('x')]);
    expect(watch).toBe(CALM);
  });
});
