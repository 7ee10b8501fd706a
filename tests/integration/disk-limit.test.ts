import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, KernelSession, directoryBytes, silentLogger } from '@duet/kernel';
import { CellRunner, NotebookDocument } from '@duet/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PYTHON } from '../support/nbformat.ts';

const LIMIT = 2 * 1024 * 1024;

describe('the workdir disk limit', () => {
  let dir: string;
  let kernel: KernelSession;
  let doc: NotebookDocument;
  let runner: CellRunner;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'duet-disk-'));
    kernel = new KernelSession({ python: SYSTEM_PYTHON, workdir: join(dir, 'work'), limits: { ...DEFAULT_LIMITS, diskBytes: LIMIT } });
    await kernel.start();
    doc = new NotebookDocument('disk');
    runner = new CellRunner({ doc, kernel, cellTimeoutMs: 60_000, log: silentLogger, interruptGraceMs: 5000 });
  });

  afterAll(async () => {
    runner?.dispose();
    await kernel?.shutdown();
    await rm(dir, { recursive: true, force: true });
  });

  const cell = (source: string) => doc.addCell({ cellType: 'code', source, duet: { role: 'code', model: null, turn: 0 } });

  it('lets a cell write files that stay under the limit', async () => {
    const c = cell("open('small.bin', 'wb').write(b'x' * 100_000)");
    const outcome = await runner.run(c.id);
    expect(outcome.status).toBe('ok');
  });

  it('fails a quick cell that leaves the workdir over the limit, with the reason', async () => {
    const c = cell("for i in range(3):\n    open(f'big{i}.bin', 'wb').write(b'x' * 1_000_000)");
    const outcome = await runner.run(c.id);
    expect(outcome.status).toBe('error');
    const error = doc.cell(c.id)?.outputs.find((o) => o.output_type === 'error');
    expect(error).toMatchObject({ ename: 'DiskLimit' });
    expect(await directoryBytes(kernel.workdir)).toBeGreaterThan(LIMIT);
  });

  it('stops a cell that keeps writing once the workdir passes the limit', async () => {
    await kernel.run("import os\nfor f in os.listdir('.'):\n    os.remove(f)");
    const c = cell("import time\ni = 0\nwhile True:\n    open(f'chunk{i}.bin', 'wb').write(b'x' * 200_000)\n    i += 1\n    time.sleep(0.01)");
    const outcome = await runner.run(c.id);
    expect(outcome.status).toBe('error');
    const errors = doc.cell(c.id)?.outputs.filter((o) => o.output_type === 'error') ?? [];
    expect(errors.map((e) => (e.output_type === 'error' ? e.ename : ''))).toEqual(['DiskLimit']);
    expect(kernel.state).toBe('idle');
  });
});
