/**
 * `duet run --notebook`: a follow-up, Continue and Retry on a notebook on disk,
 * headless, against a scripted OpenAI-compatible server (OpenAI's SSE).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ScriptedModelServer, type Script } from '@duet/server';
import { duet, tempDir } from '../support/duet-child.ts';
import { validateNotebook } from '../support/nbformat.ts';
import { MODEL_A, MODEL_B, answer, inTurn, runCode, testAssert } from '../support/scripted-run.ts';

interface SavedNotebook {
  cells: { source: string | string[]; outputs?: unknown[]; metadata: { duet: { role: string; model: string | null; turn: number; discarded?: boolean; test?: { status: string } } } }[];
  metadata: { duet: { halted: string | null; runs: { kind: string; request: string; halted: string | null }[] } };
}

async function modelServer(script: Script): Promise<ScriptedModelServer> {
  const server = await ScriptedModelServer.start({ models: [MODEL_A, MODEL_B], script });
  onTestFinished(() => server.close());
  return server;
}

const read = async (path: string): Promise<SavedNotebook> => JSON.parse(await readFile(path, 'utf8')) as SavedNotebook;
const text = (s: string | string[]): string => (Array.isArray(s) ? s.join('') : s);

describe('duet run --notebook', () => {
  it('--continue goes on with the latest request, from the model after the last turn, on a kernel restored from the code cells', async () => {
    const server = await modelServer(
      inTurn(
        answer(runCode('def add(a, b):\n    return a - b')),
        answer(`${runCode('def add(a, b):\n    return a + b')}${testAssert('assert add(2, 2) == 4')}${testAssert('assert add(0, 1) == 1')}`),
      ),
    );
    const nb = join(await tempDir(), 'cont.ipynb');
    const first = await duet('run', '--base-url', server.baseUrl, '--prompt', 'Write add(a, b).', '--out', nb, '--max-turns', '1');
    expect(first.code, first.stderr).toBe(1);

    const more = await duet('run', '--base-url', server.baseUrl, '--notebook', nb, '--continue', '--json');
    expect(more.code, more.stderr).toBe(0);
    expect(more.stderr).toMatch(/running the notebook's 1 code cell again/);
    expect(JSON.parse(more.stdout)).toMatchObject({ halted: 'tests-passed', passes: 2 });
    expect(server.requests.map((q) => q.model)).toEqual([MODEL_A, MODEL_B]);
    expect(server.requests[1]?.messages.map((m) => m.content).join('\n')).toContain('Write add(a, b).');
    const saved = await read(nb);
    expect(saved.metadata.duet.runs.map((r) => r.kind)).toEqual(['new', 'continue']);
    expect(saved.cells.filter((c) => c.metadata.duet.role === 'prompt')).toHaveLength(1);
    const { code, stderr } = await validateNotebook(nb);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('--retry asks the model of the latest turn again and keeps the old turn, marked discarded', async () => {
    const server = await modelServer(inTurn(answer(runCode('x = 1')), answer(`${testAssert('assert x == 1')}${testAssert('assert x * 2 == 2')}`)));
    const nb = join(await tempDir(), 'retry.ipynb');
    await duet('run', '--base-url', server.baseUrl, '--prompt', 'Set x to 1.', '--out', nb, '--max-turns', '1');
    const again = await duet('run', '--base-url', server.baseUrl, '--notebook', nb, '--retry');
    expect(again.code, again.stderr).toBe(0);
    expect(server.requests.map((q) => q.model)).toEqual([MODEL_A, MODEL_A]);
    const saved = await read(nb);
    expect(saved.cells.filter((c) => c.metadata.duet.discarded).map((c) => text(c.source))).toContain('x = 1');
  });

  it('a new --prompt continues the notebook: the models see its earlier code', async () => {
    const server = await modelServer(inTurn(answer(runCode('secret_value = 41')), answer(runCode('print(secret_value + 1)'))));
    const nb = join(await tempDir(), 'follow.ipynb');
    await duet('run', '--base-url', server.baseUrl, '--prompt', 'Define secret_value.', '--out', nb, '--max-turns', '1');
    const next = await duet('run', '--base-url', server.baseUrl, '--notebook', nb, '--prompt', 'Print it plus one.', '--max-turns', '1');
    expect(next.code, next.stderr).toBe(1);
    expect(server.requests[1]?.messages.map((m) => m.content).join('\n')).toContain('secret_value = 41');
    const saved = await read(nb);
    const printed = saved.cells.find((c) => text(c.source).includes('print(secret_value + 1)'));
    expect(JSON.stringify(printed?.outputs)).toContain('42');
  });

  it.each([
    { name: '--continue without --notebook', args: ['--continue', '--out', 'x.ipynb'], said: /--continue goes on with a notebook/ },
    { name: '--continue with --prompt', args: ['--continue', '--notebook', 'x.ipynb', '--prompt', 'hi'], said: /leave out --prompt/ },
    { name: '--retry with --fresh', args: ['--retry', '--fresh', '--notebook', 'x.ipynb'], said: /--fresh starts a new conversation/ },
    { name: '--continue and --retry', args: ['--continue', '--retry', '--notebook', 'x.ipynb'], said: /not both/ },
  ])('refuses $name with exit 2 and says why', async ({ args, said }) => {
    const { code, stderr } = await duet('run', '--base-url', 'demo', ...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(said);
  });
});
