/**
 * The eval runner against scripted models on loopback, with real kernels: each
 * task an ordinary run, judged by hidden tests in a fresh kernel, results kept.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { silentLogger } from '@duet/kernel';
import {
  chooseServerLauncher,
  localKernels,
  EvalRunner,
  readResults,
  readTaskSet,
  ScriptedModelServer,
  type Contestant,
  type EvalEvent,
  type EvalTask,
  type ScriptStep,
  type ScriptedRequest,
  type TaskResult,
} from '@duet/server';
import { SYSTEM_PYTHON, validateNotebook } from '../support/nbformat.ts';
import { answer, runCode, testAssert } from '../support/scripted-run.ts';

const TASKS: EvalTask[] = [
  { id: 'add', prompt: 'Write add(a, b) that returns the sum of two numbers.', test: 'assert add(2, 3) == 5\nassert add(-1, 1) == 0\nassert add(0.5, 0.25) == 0.75\n' },
  { id: 'clamp', prompt: 'Write clamp(x, lo, hi) that keeps x between lo and hi.', test: 'assert clamp(5, 0, 10) == 5\nassert clamp(-1, 0, 10) == 0\nassert clamp(11, 0, 10) == 10\n' },
];

/** What a model that solves each task writes: code and two tests. */
const SOLUTIONS: { when: RegExp; code: string; tests: [string, string]; weak: { code: string; tests: [string, string] } }[] = [
  {
    when: /add\(a, b\)/,
    code: 'def add(a, b):\n    return a + b',
    tests: ['assert add(2, 3) == 5', 'assert add(0.5, 0.25) == 0.75'],
    // Right for whole numbers only, and tested on nothing else.
    weak: { code: 'def add(a, b):\n    return int(a) + int(b)', tests: ['assert add(1, 1) == 2', 'assert add(2, 2) == 4'] },
  },
  {
    when: /clamp\(x, lo, hi\)/,
    code: 'def clamp(x, lo, hi):\n    return max(lo, min(x, hi))',
    tests: ['assert clamp(-1, 0, 10) == 0', 'assert clamp(11, 0, 10) == 10'],
    weak: { code: 'def clamp(x, lo, hi):\n    return max(lo, x)', tests: ['assert clamp(5, 0, 10) == 5', 'assert clamp(-1, 0, 10) == 0'] },
  },
  {
    when: /has_close_elements/,
    code: 'def has_close_elements(numbers, threshold):\n    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])',
    tests: ['assert has_close_elements([1.0, 2.8, 3.0], 0.3)', 'assert not has_close_elements([1.0, 2.0], 0.5)'],
    weak: { code: '', tests: ['', ''] },
  },
  {
    when: /shared elements/,
    code: 'def similar_elements(a, b):\n    return tuple(set(a) & set(b))',
    tests: ['assert set(similar_elements((1, 2), (2, 3))) == {2}', 'assert similar_elements((), (1,)) == ()'],
    weak: { code: '', tests: ['', ''] },
  },
];

function request(req: ScriptedRequest): string {
  return req.messages.find((m) => m.role === 'user')?.content ?? '';
}

/**
 * `solver` solves; `weak` writes code that is wrong off its beaten path and tests
 * only that path; `silent` writes right code and never a test; `flaky` solves, but
 * its server fails on clamp.
 */
function script(req: ScriptedRequest): ScriptStep[] {
  const prompt = request(req);
  const task = SOLUTIONS.find((s) => s.when.test(prompt));
  if (task === undefined) return [{ type: 'http-error', status: 500, body: { error: 'the test script knows no such task' } }];
  switch (req.model) {
    case 'solver':
      return answer(`Here it is.\n\n${runCode(task.code)}${testAssert(task.tests[0])}${testAssert(task.tests[1])}`);
    case 'weak':
      return answer(`Here it is.\n\n${runCode(task.weak.code)}${testAssert(task.weak.tests[0])}${testAssert(task.weak.tests[1])}`);
    case 'silent':
      return answer(`Here it is.\n\n${runCode(task.code)}`);
    case 'flaky':
      if (/clamp/.test(prompt)) return [{ type: 'http-error', status: 500, body: { error: 'CUDA out of memory' } }];
      return answer(`Here it is.\n\n${runCode(task.code)}${testAssert(task.tests[0])}${testAssert(task.tests[1])}`);
    default:
      return [{ type: 'http-error', status: 404, body: { error: `no model ${req.model}` } }];
  }
}

async function models(): Promise<ScriptedModelServer> {
  const server = await ScriptedModelServer.start({ models: ['solver', 'weak', 'silent', 'flaky'], script });
  onTestFinished(() => server.close());
  return server;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duet-eval-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function contestant(model: string, baseUrl: string): Contestant {
  return { id: `${model},${model}`, pair: `${model},${model}`, mode: 'relay', models: { A: { id: model, baseUrl }, B: { id: model, baseUrl } } };
}

async function runner(o: { dir: string; tasks: readonly EvalTask[]; contestants: Contestant[]; events?: EvalEvent[] }): Promise<EvalRunner> {
  const { launcher } = await chooseServerLauncher({ python: SYSTEM_PYTHON, sandbox: 'auto', allowUnsandboxed: true });
  return new EvalRunner({
    dir: o.dir,
    source: 'tasks.jsonl',
    tasks: o.tasks,
    contestants: o.contestants,
    settings: { required: 2, maxTurns: 2, cellTimeoutMs: 20_000 },
    runtime: { newKernel: localKernels({ python: SYSTEM_PYTHON, launcher, log: silentLogger }), log: silentLogger },
    concurrency: 2,
    serverConcurrency: 1,
    onEvent: (e) => o.events?.push(e),
  });
}

function resultOf(results: readonly TaskResult[], contestantId: string, task: string): TaskResult | undefined {
  return results.find((r) => r.contestant === contestantId && r.task === task);
}

describe('duet eval, run by the eval runner', () => {
  it('judges each run by the hidden tests: solved, false green, never claimed, and a server error that does not stop the eval', async () => {
    const server = await models();
    const dir = await tempDir();
    const events: EvalEvent[] = [];
    const contestants = ['flaky', 'solver', 'weak', 'silent'].map((m) => contestant(m, server.baseUrl));
    const outcome = await (await runner({ dir, tasks: TASKS, contestants, events })).run();

    expect(outcome.ran).toBe(8);
    expect(outcome.stopped).toBe(false);
    const { results } = outcome;

    // A pair that solves: its own tests green, and the hidden tests too.
    expect(resultOf(results, 'solver,solver', 'add')).toMatchObject({ status: 'judged', claimed: true, solved: true, judge: { verdict: 'passed', replayed: 1, replayErrors: 0 }, run: { halted: 'tests-passed', turns: 1 } });

    // Green by its own weak tests, caught by the hidden ones: a false green, not solved.
    const weak = resultOf(results, 'weak,weak', 'add');
    expect(weak).toMatchObject({ status: 'judged', claimed: true, solved: false, judge: { verdict: 'failed' } });
    expect(weak?.status === 'judged' ? weak.judge.detail : '').toContain('assert add(0.5, 0.25) == 0.75');

    // Never a test: nothing claimed, though the code is right.
    expect(resultOf(results, 'silent,silent', 'clamp')).toMatchObject({ status: 'judged', claimed: false, solved: true, run: { halted: 'max-turns', passes: 0 } });

    // The server failing mid-eval: that task is an error, and the tasks after it still ran.
    const failed = resultOf(results, 'flaky,flaky', 'clamp');
    expect(failed).toMatchObject({ status: 'error', stage: 'run' });
    expect(failed?.status === 'error' ? failed.error : '').toMatch(/500|CUDA out of memory/);
    const finishedOrder = events.flatMap((e) => (e.type === 'task-finished' ? [`${e.result.contestant}/${e.result.task}`] : []));
    expect(finishedOrder.indexOf('flaky,flaky/clamp')).toBeLessThan(finishedOrder.length - 1);
    expect(resultOf(results, 'flaky,flaky', 'add')).toMatchObject({ status: 'judged', solved: true });

    const byId = Object.fromEntries(outcome.report.contestants.map((c) => [c.id, c]));
    expect(byId['solver,solver']).toMatchObject({ solved: 2, judged: 2, claimed: 2, falseGreens: 0, passRate: 1 });
    expect(byId['weak,weak']).toMatchObject({ solved: 0, claimed: 2, falseGreens: 2, falseGreenRate: 1 });
    expect(byId['silent,silent']).toMatchObject({ solved: 2, claimed: 0, falseGreenRate: null });
    expect(byId['flaky,flaky']).toMatchObject({ judged: 1, errors: 1 });
    expect(outcome.report.comparisons.find((c) => c.a === 'solver,solver' && c.b === 'weak,weak')).toMatchObject({ onlyA: 2, onlyB: 0 });

    // Every line is on disk, each run has its notebook, and the report is written.
    const onDisk = await readResults(join(dir, 'results.jsonl'));
    expect(onDisk).toMatchObject({ skipped: 0 });
    expect(onDisk.results).toHaveLength(8);
    for (const r of onDisk.results) {
      expect(r.timing.kernelMs).toBeGreaterThan(0);
      expect(r.notebook).not.toBeNull();
      const { code, stderr } = await validateNotebook(join(dir, r.notebook as string));
      expect(stderr).toBe('');
      expect(code).toBe(0);
    }
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'eval.json'), 'utf8'))).toMatchObject({ source: 'tasks.jsonl', tasks: [{ id: 'add' }, { id: 'clamp' }] });

    // Run again: only the task that ended in an error is tried again.
    const asked = server.requests.length;
    const again = await (await runner({ dir, tasks: TASKS, contestants })).run();
    expect(again.ran).toBe(1);
    expect(server.requests.slice(asked).map((q) => `${q.model}/${/clamp/.test(request(q)) ? 'clamp' : 'add'}`)).toEqual(['flaky/clamp']);
    expect((await readResults(join(dir, 'results.jsonl'))).results).toHaveLength(9);
  });

  it('reads HumanEval- and MBPP-shaped task files as they are and judges them by their own tests', async () => {
    const server = await models();
    const dir = await tempDir();
    const humanEval = join(dir, 'HumanEval.jsonl');
    await writeFile(
      humanEval,
      `${JSON.stringify({
        task_id: 'HumanEval/0',
        prompt: 'from typing import List\n\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n    """ Check if in given list of numbers, are any two numbers closer to each other than given threshold.\n    >>> has_close_elements([1.0, 2.0, 3.0], 0.5)\n    False\n    """\n',
        canonical_solution: '    return False\n',
        test: "\n\nMETADATA = {'author': 'jt', 'dataset': 'test'}\n\n\ndef check(candidate):\n    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True\n    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05) == False\n    assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 1.0) == True\n\n",
        entry_point: 'has_close_elements',
      })}\n`,
    );
    const mbpp = join(dir, 'mbpp.jsonl');
    await writeFile(
      mbpp,
      `${JSON.stringify({
        task_id: 2,
        text: 'Write a function to find the shared elements from the given two lists.',
        code: 'def similar_elements(test_tup1, test_tup2):\n  res = tuple(set(test_tup1) & set(test_tup2))\n  return (res) ',
        test_list: ['assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))', 'assert set(similar_elements((1, 2, 3, 4),(5, 4, 3, 7))) == set((3, 4))', 'assert set(similar_elements((11, 12, 14, 13),(17, 15, 14, 13))) == set((13, 14))'],
        test_setup_code: '',
        challenge_test_list: [],
      })}\n`,
    );
    const tasks = [...(await readTaskSet(humanEval)).tasks, ...(await readTaskSet(mbpp)).tasks];
    const outcome = await (await runner({ dir: join(dir, 'eval'), tasks, contestants: [contestant('solver', server.baseUrl)] })).run();

    expect(outcome.results.map((r) => [r.task, r.status === 'judged' && r.solved])).toEqual([
      ['HumanEval/0', true],
      ['2', true],
    ]);
    // The notebook of an id with a slash is a file of its own inside the eval folder.
    expect(outcome.results[0]?.notebook).toMatch(/^notebooks\/solver,solver\/HumanEval-0-[0-9a-f]{8}\.ipynb$/);
    // The hidden tests were never sent to a model.
    for (const q of server.requests) expect(q.messages.map((m) => m.content).join('\n')).not.toContain('3.9, 4.0, 5.0, 2.2');
  });
});
