/**
 * `duet replay NOTEBOOK.ipynb` as a user runs it: the notebook's cells again, in a
 * fresh sandboxed kernel, and the same tests must pass.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duet, tempDir as tempFolder } from '../support/duet-child.ts';
import { NotebookDocument, serializeNotebook, type ReplayReport } from '@duet/server';




type Cell = { kind: 'code'; source: string } | { kind: 'test'; source: string; status: 'passed' | 'failed' };

/** Writes a notebook as Duet saves one: code and test cells, each test with the status it had. */
async function notebook(dir: string, name: string, cells: Cell[]): Promise<string> {
  const doc = new NotebookDocument(name);
  let count = 0;
  for (const c of cells) {
    count += 1;
    doc.addCell({
      cellType: 'code',
      source: c.source,
      executionCount: count,
      duet: c.kind === 'test' ? { role: 'test', model: 'A', turn: 1, test: { status: c.status } } : { role: 'code', model: 'A', turn: 1 },
    });
  }
  const path = join(dir, `${name}.ipynb`);
  await writeFile(path, serializeNotebook(doc));
  return path;
}

describe('duet replay', () => {
  it('exits 0 when the tests that passed in the notebook pass in a fresh kernel', async () => {
    const path = await notebook(await tempFolder('duet-replay-'), 'circle', [
      { kind: 'code', source: 'PI = 3.14159\n\ndef area(r):\n    return PI * r * r' },
      { kind: 'test', source: 'assert round(area(1), 2) == 3.14', status: 'passed' },
      { kind: 'test', source: 'assert area(0) == 0', status: 'passed' },
    ]);
    const { code, stdout, stderr } = await duet('replay', path, '--json');

    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/All 2 test\(s\) that passed in the notebook pass in a fresh kernel/);
    const report = JSON.parse(stdout) as ReplayReport;
    expect(report).toMatchObject({ ok: true, expected: 2, confirmed: 2, replayed: 3 });
    expect(report.tests.map((t) => [t.cell, t.recorded, t.now])).toEqual([
      [2, 'passed', 'passed'],
      [3, 'passed', 'passed'],
    ]);
  });

  it('exits 1 when a test passed only thanks to state that is not in the cells', async () => {
    // PI came from a cell that was deleted after the test ran: the kernel remembered it, the notebook does not.
    const path = await notebook(await tempFolder('duet-replay-'), 'hidden-state', [
      { kind: 'code', source: 'def area(r):\n    return PI * r * r' },
      { kind: 'test', source: 'assert round(area(1), 2) == 3.14', status: 'passed' },
      { kind: 'test', source: 'assert callable(area)', status: 'passed' },
    ]);
    const { code, stderr } = await duet('replay', path);

    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(/✗ cell 2 \(assert round\(area\(1\), 2\) == 3\.14\): error now, passed in the notebook — NameError: name 'PI' is not defined/);
    expect(stderr).toMatch(/✓ cell 3/);
    expect(stderr).toMatch(/1 of 2 test\(s\) that passed in the notebook fail in a fresh kernel/);
  });

  it('exits 1 when the notebook has no passing test to confirm', async () => {
    const path = await notebook(await tempFolder('duet-replay-'), 'untested', [
      { kind: 'code', source: 'x = 1' },
      { kind: 'test', source: 'assert x == 2', status: 'failed' },
    ]);
    const { code, stderr } = await duet('replay', path);
    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(/No test passed in .*untested\.ipynb, so there is nothing to confirm/);
  });

  it('exits 2 for a file that is not a notebook', async () => {
    const path = join(await tempFolder('duet-replay-'), 'notes.ipynb');
    await writeFile(path, 'these are not JSON');
    const { code, stderr } = await duet('replay', path);
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/^duet: Cannot read the notebook .*notes\.ipynb \(it is not JSON\)\. Give an \.ipynb file\.$/);
  });
});
