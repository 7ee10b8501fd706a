import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findPython, KERNEL_PYTHON_DIR } from '@duet/kernel';

const run = promisify(execFile);

/** A shell whose alias manager fails as asked; harden_shell is given it, and what it did is printed as JSON. */
const SCRIPT = `
import json, duet_guard
class Aliases:
    def __init__(self, fail): self.fail = fail; self.cleared = False
    def clear_aliases(self):
        if self.fail: raise AttributeError("no alias table")
        self.cleared = True
class Magics:
    magics = {"line": {}, "cell": {}}
class Shell:
    def __init__(self, fail):
        self.alias_manager = Aliases(fail); self.magics_manager = Magics(); self.ast_transformers = []
for fail in (False, True):
    shell = Shell(fail)
    try:
        duet_guard.harden_shell(shell)
        print(json.dumps({"fail": fail, "armed": True, "cleared": shell.alias_manager.cleared}))
    except Exception as err:
        print(json.dumps({"fail": fail, "armed": False, "error": str(err)}))
`;

describe('harden_shell', () => {
  it('clears the aliases, and refuses to arm a shell whose aliases it cannot clear, saying why', async () => {
    const { python } = await findPython({ createVenv: false });
    const { stdout } = await run(python, ['-c', SCRIPT], { env: { ...process.env, PYTHONPATH: KERNEL_PYTHON_DIR } });
    const [ok, failed] = stdout.trim().split('\n').map((line) => JSON.parse(line) as { armed: boolean; cleared?: boolean; error?: string });
    expect(ok).toMatchObject({ armed: true, cleared: true });
    expect(failed?.armed).toBe(false);
    expect(failed?.error).toMatch(/could not remove the shell's aliases \(AttributeError: no alias table\), so the kernel was not started/);
  });
});
