/**
 * readKernelInventory against a real sandboxed kernel: what it finds, and that
 * asking leaves no trace a user could see.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelSession, sandboxLauncher, silentLogger } from '@duet/kernel';
import { CellRunner, NotebookDocument, readKernelInventory } from '@duet/server';
import type { DocumentEvent } from '@duet/server/protocol';
import { PYTHON, TEST_LIMITS, sandboxModes } from './sandbox-harness.ts';

const modes = await sandboxModes();

describe.each(modes)('readKernelInventory in a %s kernel', (mode) => {
  const workdir = mkdtempSync(join(tmpdir(), `duet-inventory-${mode}-`));
  let kernel: KernelSession;
  let doc: NotebookDocument;
  let runner: CellRunner;

  beforeAll(async () => {
    kernel = new KernelSession({ python: PYTHON, workdir, launcher: sandboxLauncher(mode), limits: TEST_LIMITS });
    await kernel.start();
    doc = new NotebookDocument('inventory');
    runner = new CellRunner({ doc, kernel, cellTimeoutMs: 20_000, log: silentLogger });
  });

  afterAll(async () => {
    runner?.dispose();
    await kernel?.shutdown();
    rmSync(workdir, { recursive: true, force: true });
  });

  async function runCell(source: string): Promise<string> {
    const cell = doc.addCell({ cellType: 'code', source, duet: { role: 'code', model: null, turn: 0 } });
    await runner.run(cell.id);
    return cell.id;
  }

  it("gives the kernel's Python version and lists numpy, which Debian's python3-numpy installs", async () => {
    const inventory = await readKernelInventory(kernel);
    expect(inventory.python).toMatch(/^3\.\d+\.\d+$/);
    expect(kernel.info?.languageVersion).toBe(inventory.python);
    expect(inventory.packages).toContain('numpy');
  });

  it('lists a name only when the kernel can import it', async () => {
    const inventory = await readKernelInventory(kernel, silentLogger, ['numpy', 'no_such_package_duet_made_up', 'json']);
    expect(inventory.packages).toEqual(['numpy', 'json']);
  });

  it("imports none of the libraries it looks for into the user's kernel", async () => {
    await readKernelInventory(kernel, silentLogger, ['sympy']);
    const id = await runCell("import sys\nprint('sympy' in sys.modules)");
    expect(doc.cell(id)?.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'False\n' }]);
  });

  it('changes no cell, no execution count and no variable of the user', async () => {
    const before = await runCell('x = 1');
    const events: DocumentEvent[] = [];
    const off = doc.on((e) => events.push(e));
    await readKernelInventory(kernel);
    off();
    const after = await runCell("print(sorted(n for n in globals() if 'inventory' in n))");

    // Only the kernel's busy and idle reach the document, as for any request.
    expect(events.filter((e) => e.type !== 'kernel-state')).toEqual([]);
    expect(doc.cell(after)?.executionCount).toBe((doc.cell(before)?.executionCount ?? 0) + 1);
    expect(doc.cell(after)?.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: '[]\n' }]);
  });
});
