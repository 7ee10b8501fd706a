/**
 * `duet run` as a user runs it: the real command line in a child process, against a
 * scripted OpenAI-compatible server on loopback (or the built-in demo models).
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { duet, startDuet, tempDir as tempFolder } from '../support/duet-child.ts';
import { ScriptedModelServer } from '@duet/server';
import type { Script } from '@duet/server';
import { validateNotebook } from '../support/nbformat.ts';
import { MODEL_A, MODEL_B, answer, gate, inTurn, runCode, testAssert } from '../support/scripted-run.ts';






async function modelServer(script: Script, models = [MODEL_A, MODEL_B]): Promise<ScriptedModelServer> {
  const server = await ScriptedModelServer.start({ models, script });
  onTestFinished(() => server.close());
  return server;
}

async function notebookMeta(path: string): Promise<{ halted: string | null; passes: number; required: number }> {
  const json = JSON.parse(await readFile(path, 'utf8')) as { metadata: { duet: { halted: string | null; passes: number; required: number } } };
  return json.metadata.duet;
}

async function expectValid(path: string): Promise<void> {
  const { code, stderr } = await validateNotebook(path);
  expect(stderr).toBe('');
  expect(code).toBe(0);
}

describe('duet run', () => {
  it('exits 0 with a JSON summary and a valid notebook when the tests pass', async () => {
    const server = await modelServer(inTurn(answer(`${runCode('def add(a, b):\n    return a + b')}${testAssert('assert add(2, 3) == 5')}${testAssert('assert add(0, 0) == 0')}`)));
    const out = join(await tempFolder('duet-cli-'), 'add.ipynb');
    const { code, stdout, stderr } = await duet('run', '--base-url', server.baseUrl, '--prompt', 'Write add(a, b).', '--out', out, '--json');

    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(summary).sort()).toEqual(['cells', 'halted', 'passes', 'required', 'turns']);
    expect(summary).toMatchObject({ halted: 'tests-passed', passes: 2, required: 2, turns: 1 });
    expect(summary.cells).toBeGreaterThanOrEqual(4);
    expect(stderr).toMatch(/model A is writing/);
    expect(stderr).toMatch(/green tests: 2\/2/);
    expect(await notebookMeta(out)).toMatchObject({ halted: 'tests-passed', passes: 2, required: 2 });
    expect(server.requests.map((q) => q.model)).toEqual([MODEL_A]);
    await expectValid(out);
  });

  it('exits 1 when the turns run out before the tests pass', async () => {
    const server = await modelServer(inTurn(answer(runCode('x = 1'))));
    const out = join(await tempFolder('duet-cli-'), 'short.ipynb');
    const { code, stdout, stderr } = await duet('run', '--base-url', server.baseUrl, '--prompt', 'Set x.', '--out', out, '--json', '--max-turns', '1');

    expect(code, stderr).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ halted: 'max-turns', passes: 0, turns: 1 });
    expect((await notebookMeta(out)).halted).toBe('max-turns');
    await expectValid(out);
  });

  it('stops cleanly on SIGINT: exit 1 and the notebook written with halted "stopped"', async () => {
    const requested = gate();
    const rest = gate();
    onTestFinished(() => rest.open());
    const server = await modelServer(() => {
      requested.open();
      return [{ type: 'content', text: 'Let me think about this.\n\n' }, { type: 'wait', until: rest.promise }, ...answer('Done.')];
    });
    const out = join(await tempFolder('duet-cli-'), 'stopped.ipynb');
    const cli = startDuet(['run', '--base-url', server.baseUrl, '--prompt', 'Take your time.', '--out', out, '--json']);
    await requested.promise;
    cli.kill('SIGINT');
    const { code, stdout, stderr } = await cli.done;

    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(/stopping/);
    expect(JSON.parse(stdout)).toMatchObject({ halted: 'stopped' });
    expect((await notebookMeta(out)).halted).toBe('stopped');
    expect(await server.exchanges[0]?.closed).toBe('client-closed');
    await expectValid(out);
  });

  it('gives up at once on SIGINT while still setting up, and writes nothing', async () => {
    // A model server that takes the request for its model list and never answers.
    const asked = gate();
    const hanging = createServer((req) => {
      if (req.url?.endsWith('/models')) asked.open();
    });
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
    onTestFinished(() => new Promise<void>((r) => {
      hanging.closeAllConnections();
      hanging.close(() => r());
    }));
    const port = (hanging.address() as AddressInfo).port;
    const out = join(await tempFolder('duet-cli-'), 'never.ipynb');
    const cli = startDuet(['run', '--base-url', `http://127.0.0.1:${port}/v1`, '--prompt', 'Anything.', '--out', out]);
    await asked.promise;
    cli.kill('SIGINT');
    const { code, stderr } = await cli.done;

    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(/stopped before the run began/);
    expect(existsSync(out)).toBe(false);
  });

  it('reaches tests-passed with the demo models', async () => {
    const out = join(await tempFolder('duet-cli-'), 'fib.ipynb');
    const { code, stdout, stderr } = await duet('run', '--base-url', 'demo', '--prompt', 'write fibonacci', '--out', out, '--json');

    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ halted: 'tests-passed', passes: 2 });
    // The demo shows the whole loop: a failing test from A that B fixes.
    expect(stderr).toMatch(/test failed/);
    await expectValid(out);
  });

  describe('bad usage exits 2 with a one-line message', () => {
    async function usageError(...args: string[]): Promise<string> {
      const { code, stdout, stderr } = await duet(...args);
      expect(code, stderr).toBe(2);
      expect(stdout).toBe('');
      const lines = stderr.trim().split('\n');
      expect(lines, stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^duet: /);
      return lines[0] as string;
    }

    it('an unknown flag', async () => {
      const line = await usageError('run', '--frobnicate', '--prompt', 'x', '--out', join(await tempFolder('duet-cli-'), 'x.ipynb'));
      expect(line).toContain("unknown option '--frobnicate'");
    });

    it('an unknown command', async () => {
      expect(await usageError('frobnicate')).toContain("unknown command 'frobnicate'");
    });

    it('an unreachable base URL, named in the message', async () => {
      // A listening port closed again: nothing answers there.
      const server = await ScriptedModelServer.start({ models: ['m'], script: () => [] });
      await server.close();
      const line = await usageError('run', '--base-url', server.baseUrl, '--prompt', 'x', '--out', join(await tempFolder('duet-cli-'), 'x.ipynb'));
      expect(line).toContain(server.baseUrl);
      expect(line).toContain('/v1');
    });

    it('a base URL without /v1, with the fix in the message', async () => {
      const server = await modelServer(() => []);
      const root = server.baseUrl.replace(/\/v1$/, '');
      const line = await usageError('run', '--base-url', root, '--prompt', 'x', '--out', join(await tempFolder('duet-cli-'), 'x.ipynb'));
      expect(line).toContain(`try --base-url ${root}/v1`);
    });

    it('an unknown model id, listing the ones the server has', async () => {
      const server = await modelServer(() => []);
      const line = await usageError('run', '--base-url', server.baseUrl, '--model-a', 'gpt-9', '--prompt', 'x', '--out', join(await tempFolder('duet-cli-'), 'x.ipynb'));
      expect(line).toContain('"gpt-9"');
      expect(line).toContain(`${MODEL_A}, ${MODEL_B}`);
    });

    it('an empty prompt', async () => {
      const line = await usageError('run', '--prompt', '   ', '--out', join(await tempFolder('duet-cli-'), 'x.ipynb'));
      expect(line).toMatch(/prompt is empty/);
    });

    it('an empty prompt file', async () => {
      const dir = await tempFolder('duet-cli-');
      await writeFile(join(dir, 'prompt.txt'), '\n\n');
      const line = await usageError('run', '--prompt-file', join(dir, 'prompt.txt'), '--out', join(dir, 'x.ipynb'));
      expect(line).toMatch(/prompt is empty/);
    });

    it('a missing --out', async () => {
      expect(await usageError('run', '--prompt', 'x')).toMatch(/--out/);
    });

    it.each([
      { name: 'a folder that does not exist', out: '/nonexistent/duet/x.ipynb' },
      { name: 'a folder that is a file', out: '/etc/hostname/x.ipynb' },
    ])('an --out in $name', async ({ out }) => {
      const line = await usageError('run', '--prompt', 'x', '--out', out);
      expect(line).toMatch(/Cannot write the notebook/);
      expect(line).toMatch(/Choose another --out/);
    });

    it('a bad number', async () => {
      expect(await usageError('run', '--passes', 'two', '--prompt', 'x', '--out', join(await tempFolder('duet-cli-'), 'x.ipynb'))).toMatch(/--passes must be a number/);
    });
  });
});
