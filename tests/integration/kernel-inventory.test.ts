/**
 * readKernelInventory against a real sandboxed kernel: what it finds, and that
 * asking leaves no trace a user could see.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@duet/kernel';
import { readKernelInventory } from '@duet/server';
import type { DocumentEvent } from '@duet/server/protocol';
import { sandboxModes, useSandboxedRunner } from './sandbox-harness.ts';

const modes = await sandboxModes();

describe.each(modes)('readKernelInventory in a %s kernel', (mode) => {
  const k = useSandboxedRunner(mode, 'inventory');

  async function runCell(source: string): Promise<string> {
    const cell = k.doc.addCell({ cellType: 'code', source, duet: { role: 'code', model: null, turn: 0 } });
    await k.runner.run(cell.id);
    return cell.id;
  }

  it("gives the kernel's Python version and lists numpy, which Debian's python3-numpy installs", async () => {
    const inventory = await readKernelInventory(k.kernel);
    expect(inventory.python).toMatch(/^3\.\d+\.\d+$/);
    expect(k.kernel.info?.languageVersion).toBe(inventory.python);
    expect(inventory.packages).toContain('numpy');
  });

  it('lists a name only when the kernel can import it', async () => {
    const inventory = await readKernelInventory(k.kernel, silentLogger, ['numpy', 'no_such_package_duet_made_up', 'json']);
    expect(inventory.packages).toEqual(['numpy', 'json']);
  });

  it("imports none of the libraries it looks for into the user's kernel", async () => {
    await readKernelInventory(k.kernel, silentLogger, ['sympy']);
    const id = await runCell("import sys\nprint('sympy' in sys.modules)");
    expect(k.doc.cell(id)?.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'False\n' }]);
  });

  it('changes no cell, no execution count and no variable of the user', async () => {
    const before = await runCell('x = 1');
    const events: DocumentEvent[] = [];
    const off = k.doc.on((e: DocumentEvent) => events.push(e));
    await readKernelInventory(k.kernel);
    off();
    const after = await runCell("print(sorted(n for n in globals() if 'inventory' in n))");

    // Only the kernel's busy and idle reach the document, as for any request.
    expect(events.filter((e) => e.type !== 'kernel-state')).toEqual([]);
    expect(k.doc.cell(after)?.executionCount).toBe((k.doc.cell(before)?.executionCount ?? 0) + 1);
    expect(k.doc.cell(after)?.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: '[]\n' }]);
  });
});
