/**
 * What the next model is told about cells that ran in a real sandboxed kernel:
 * refusals of the guard in full and without the guard's own frames, failing
 * asserts with the model's line, and an interpreter whose argv gives nothing away.
 */
import { describe, expect, it } from 'vitest';
import { feedbackText } from '@duet/server';
import type { CellOutcome } from '@duet/server';
import { sandboxModes, useSandboxedRunner } from './sandbox-harness.ts';

const modes = await sandboxModes();

/** Any trace of Duet's kernel modules or of IPython's and ipykernel's internals. */
const OWN_FRAMES = /duet_\w*\.py|\/IPython\/|\/ipykernel\//;

describe.each(modes)('the execution report of a %s kernel', (mode) => {
  const k = useSandboxedRunner(mode, 'feedback');

  /** Runs one cell as a model's cell and gives its outcome and the report the next model reads. */
  async function report(role: 'code' | 'test', source: string): Promise<{ outcome: CellOutcome; text: string }> {
    const cell = k.doc.addCell({ cellType: 'code', source, duet: { role, model: 'A', turn: 1, ...(role === 'test' ? { test: { status: 'not-run' as const } } : {}) } });
    const outcome = await k.runner.run(cell.id);
    return { outcome, text: feedbackText('A', [outcome]) };
  }

  it("relays a refused file read with the model's line and the whole refusal, and no frame of the guard", async () => {
    const { text } = await report('code', "open('/etc/passwd')");
    expect(text).toContain("PermissionError: Duet blocks reading files outside the notebook's workdir (/etc/passwd)");
    expect(text).toContain("----> 1 open('/etc/passwd')");
    expect(text).not.toMatch(OWN_FRAMES);
    expect(text).not.toContain('\u001b');
  });

  it('relays a refused subprocess import in full, and no frame of the guard or of IPython', async () => {
    const { outcome, text } = await report('test', "import subprocess\nsubprocess.run(['ls'])\nassert True");
    expect(outcome.testStatus).toBe('blocked');
    expect(text).toContain('InputRejected: Duet blocks importing subprocess: it would start another program, and notebook code may not (line 1)');
    expect(text).not.toMatch(OWN_FRAMES);
  });

  it("relays a failing assert with its message and the model's failing line", async () => {
    const { outcome, text } = await report('test', "def check(x):\n    assert x == 2, 'x should be 2'\n\ncheck(1)");
    expect(outcome.testStatus).toBe('failed');
    expect(text).toContain('test FAILED');
    expect(text).toContain("----> 2     assert x == 2, 'x should be 2'");
    expect(text).toMatch(/AssertionError: x should be 2$/);
    expect(text).not.toMatch(OWN_FRAMES);
  });

  it('tells the model why a test without asserts did not count', async () => {
    const { outcome, text } = await report('test', 'print(2 + 2)');
    expect(outcome.testStatus).toBe('not-run');
    expect(text).toContain('test NOT COUNTED: it ran, but has no assert statement');
    expect(text).toContain('4');
  });

  it("shows notebook code an argv of [''], not the kernel's command line", async () => {
    const { outcome } = await report('code', "import sys\nprint(sys.argv)\nprint([a for a in sys.orig_argv if a.startswith('--')])");
    expect(outcome.text).toBe("['']\n[]\n");
  });

  it("lets unittest.main() end without the kernel's command line, and tells the model to use plain asserts", async () => {
    const { outcome, text } = await report('test', 'import unittest\nunittest.main()');
    expect(outcome.error?.ename).toBe('SystemExit');
    expect(outcome.text).toMatch(/Ran 0 tests/);
    expect(text).not.toContain(k.kernel.workdir);
    expect(text).not.toMatch(/sandbox|--mode|connection/i);
    expect(text).not.toMatch(OWN_FRAMES);
    expect(text).toContain('Use plain assert statements; unittest/pytest runners are not used here');
  });
});
