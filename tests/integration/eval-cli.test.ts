/**
 * `duet eval` as a user runs it: the real command line in a child process,
 * against scripted models on loopback or the built-in demo models.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startDuet, tempDir as tempFolder } from '../support/duet-child.ts';
import { readResults, ScriptedModelServer, type Script } from '@duet/server';
import type { EvalReport } from '@duet/server/protocol';
import { answer, gate, runCode, testAssert } from '../support/scripted-run.ts';





async function modelServer(script: Script): Promise<ScriptedModelServer> {
  const server = await ScriptedModelServer.start({ models: ['m'], script });
  onTestFinished(() => server.close());
  return server;
}

const TASKS = ['one', 'two', 'three'].map((n) => ({ id: n, prompt: `Write ${n}() that returns the string "${n}".`, test: `assert ${n}() == "${n}"\n` }));

/** The task a request is about, from the function its prompt asks for. */
const taskOf = (messages: readonly { role: string; content: string }[]): string => /Write (\w+)\(\)/.exec(messages.find((m) => m.role === 'user')?.content ?? '')?.[1] ?? '?';

function solve(task: string): ReturnType<typeof answer> {
  return answer(`${runCode(`def ${task}():\n    return "${task}"`)}${testAssert(`assert ${task}() == "${task}"`)}${testAssert(`assert isinstance(${task}(), str)`)}`);
}

async function tasksFile(dir: string): Promise<string> {
  const path = join(dir, 'tasks.jsonl');
  await writeFile(path, TASKS.map((t) => JSON.stringify(t)).join('\n'));
  return path;
}

describe('duet eval', () => {
  it('keeps finished tasks on Ctrl-C and, run again, goes on without running them twice', async () => {
    let holdTwo = true;
    const asked = gate();
    const never = gate();
    onTestFinished(() => never.open());
    const server = await modelServer((req) => {
      const task = taskOf(req.messages);
      if (task === 'two' && holdTwo) {
        asked.open();
        return [{ type: 'content', text: 'Let me think.\n\n' }, { type: 'wait', until: never.promise }, ...solve(task)];
      }
      return solve(task);
    });
    const dir = await tempFolder('duet-eval-cli-');
    const out = join(dir, 'eval');
    const args = ['eval', '--tasks', await tasksFile(dir), '--pair', 'm,m', '--base-url', server.baseUrl, '--out', out, '--concurrency', '1'];

    const first = startDuet(args);
    // Once the first task's result is on disk and the second one is asking its model, Ctrl-C.
    await expect.poll(async () => (await readResults(join(out, 'results.jsonl'))).results.length, { timeout: 60_000, interval: 100 }).toBe(1);
    await asked.promise;
    first.kill('SIGINT');
    const stopped = await first.done;
    expect(stopped.code, stopped.stderr).toBe(1);
    expect(stopped.stderr).toMatch(/stopping/);
    expect(stopped.stderr).toMatch(/run the same command again/);
    expect((await readResults(join(out, 'results.jsonl'))).results.map((r) => r.task)).toEqual(['one']);

    holdTwo = false;
    const second = await startDuet(args).done;
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/1 already done, 2 to run/);
    const { results, skipped } = await readResults(join(out, 'results.jsonl'));
    expect(skipped).toBe(0);
    expect(results.map((r) => [r.task, r.status === 'judged' && r.solved])).toEqual([
      ['one', true],
      ['two', true],
      ['three', true],
    ]);
    // Task one's model was asked once, in the first run only.
    expect(server.requests.filter((q) => taskOf(q.messages) === 'one')).toHaveLength(1);
  });

  it('prints the scoreboard as JSON with --json, the mode passed through to the runs', async () => {
    const server = await modelServer((req) => solve(taskOf(req.messages)));
    const dir = await tempFolder('duet-eval-cli-');
    const out = join(dir, 'eval');
    const { code, stdout, stderr } = await startDuet(['eval', '--tasks', await tasksFile(dir), '--pair', 'm,m', '--mode', 'relay', '--base-url', server.baseUrl, '--out', out, '--limit', '1', '--json']).done;

    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as EvalReport & { dir: string; html: string; ran: number; stopped: boolean };
    expect(report).toMatchObject({ dir: out, html: join(out, 'report.html'), ran: 1, stopped: false, total: 1, done: 1 });
    expect(report.contestants).toMatchObject([{ id: 'm,m', mode: 'relay', solved: 1, judged: 1 }]);
    expect(report.tasks.map((t) => t.id)).toEqual(['one']);
    expect((await readResults(join(out, 'results.jsonl'))).results[0]?.mode).toBe('relay');
    expect(stderr).toMatch(/pair\s+mode\s+solved/);
  });

  it('runs the builtin tasks end to end with the demo models', async () => {
    const out = join(await tempFolder('duet-eval-cli-'), 'demo-eval');
    const { code, stdout, stderr } = await startDuet(['eval', '--tasks', 'builtin', '--pair', 'demo-a,demo-b', '--base-url', 'demo', '--out', out, '--limit', '2']).done;

    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/\[2\/2\] demo-a,demo-b · is-prime: solved/);
    expect(stdout).toMatch(/demo-a,demo-b\s+relay\s+2\/2/);
  });

  describe('refuses bad usage with exit 2 and one line that says what to change', () => {
    async function usageError(...args: string[]): Promise<string> {
      const { code, stdout, stderr } = await startDuet(args).done;
      expect(code, stderr).toBe(2);
      expect(stdout).toBe('');
      const lines = stderr.trim().split('\n');
      expect(lines, stderr).toHaveLength(1);
      return lines[0] as string;
    }

    it.each([
      { name: 'a pair of one model', args: ['--pair', 'lonely'], says: /--pair takes two model ids/ },
      { name: 'an unknown mode', args: ['--pair', 'demo-a,demo-b', '--mode', 'duel'], says: /--mode must be relay or coder-tester \(got "duel"\)/ },
      { name: 'a task file that is not there', args: ['--tasks', '/nonexistent/tasks.jsonl'], says: /Cannot read the task file .*--tasks builtin/ },
      { name: 'a limit of none', args: ['--limit', '0'], says: /--limit must be a whole number of at least 1/ },
      { name: 'a concurrency of none', args: ['--concurrency', '0'], says: /--concurrency must be at least 1/ },
    ])('$name', async ({ args, says }) => {
      const out = join(await tempFolder('duet-eval-cli-'), 'eval');
      const base = ['eval', '--tasks', 'builtin', '--base-url', 'demo', '--out', out];
      // A later --tasks replaces the builtin one.
      expect(await usageError(...base, ...args)).toMatch(says);
    });
  });
});
