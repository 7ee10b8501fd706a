/**
 * A cell stopped by the workdir disk limit must leave nothing behind: `duet run`
 * exits once its notebook is written, and the cells after it run undisturbed.
 * Judged from outside the kernel: the process's exit, the notebook file, the workdir.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS } from '@duet/kernel';
import { ScriptedModelServer } from '@duet/server';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SYSTEM_PYTHON } from '../support/nbformat.ts';
import { MODEL_A, MODEL_B, answer, inTurn, runCode } from '../support/scripted-run.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const DUET = join(ROOT, 'apps/server/bin/duet.js');

/**
 * Allocates a little more than the default disk limit at once, in files under the
 * per-file size limit: blocks are reserved, nothing is written, so it is quick.
 */
const FILL = [
  'import os',
  `per_file = ${Math.floor(DEFAULT_LIMITS.fileSizeBytes * 0.9)}`,
  `for i in range(${Math.ceil((DEFAULT_LIMITS.diskBytes * 1.05) / (DEFAULT_LIMITS.fileSizeBytes * 0.9))}):`,
  "    with open(f'fill{i}.bin', 'wb') as f:",
  '        os.posix_fallocate(f.fileno(), 0, per_file)',
  "print('filled')",
].join('\n');

/** Frees the workdir, then runs long enough for a stray interrupt from the cell before to land. */
const AFTER = ["import os, time", "for name in os.listdir('.'):", '    os.remove(name)', 'time.sleep(2.5)', "print('the next cell ran to the end')"].join('\n');

interface Cell {
  cell_type: string;
  source: string[];
  outputs?: { output_type: string; ename?: string; evalue?: string; text?: string[] }[];
}

describe('duet run with a cell stopped by the disk limit', () => {
  it('writes the notebook, runs the next cell undisturbed, and exits', async () => {
    const server = await ScriptedModelServer.start({ models: [MODEL_A, MODEL_B], script: inTurn(answer(`${runCode(FILL)}${runCode(AFTER)}`)) });
    onTestFinished(() => server.close());
    const dir = await mkdtemp(join(tmpdir(), 'duet-disk-run-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const out = join(dir, 'fill.ipynb');

    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DUET_') && k !== 'NODE_OPTIONS') env[k] = v;
    env.DUET_PYTHON = SYSTEM_PYTHON;
    const child = spawn(process.execPath, [DUET, 'run', '--base-url', server.baseUrl, '--prompt', 'Fill the disk.', '--out', out, '--json', '--max-turns', '1'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));

    // The process ends by itself: nothing it started is left holding it open.
    const code = await new Promise<number | null>((resolveExit) => child.once('close', (c) => resolveExit(c)));

    expect(code, stderr).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ halted: 'max-turns' });
    const nb = JSON.parse(await readFile(out, 'utf8')) as { cells: Cell[] };
    const code_cells = nb.cells.filter((c) => c.cell_type === 'code');
    const [filled, after] = code_cells;
    expect(filled?.outputs?.filter((o) => o.output_type === 'error').map((o) => o.ename)).toEqual(['DiskLimit']);
    expect(after?.outputs?.filter((o) => o.output_type === 'error')).toEqual([]);
    expect(after?.outputs?.map((o) => (o.text ?? []).join('')).join('')).toBe('the next cell ran to the end\n');
  }, 120_000);
});
