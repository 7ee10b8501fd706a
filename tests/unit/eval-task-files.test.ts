import { describe, expect, it } from 'vitest';
import { BUILTIN_TASKS, hiddenTestCode, parseTaskLines, readTaskSet, TaskFileError } from '@duet/server';

const jsonl = (...objects: unknown[]): string => objects.map((o) => JSON.stringify(o)).join('\n');

function refusal(text: string): string {
  try {
    parseTaskLines(text, 'tasks.jsonl');
  } catch (err) {
    expect(err).toBeInstanceOf(TaskFileError);
    return (err as Error).message;
  }
  throw new Error('the task file was accepted');
}

describe('task files', () => {
  it("read Duet's own layout, a numeric id included", () => {
    const { tasks, layouts } = parseTaskLines(jsonl({ id: 'add', prompt: 'Write add(a, b).', test: 'assert add(1, 2) == 3' }, { id: 7, prompt: 'p', test: 't', entry_point: 'f' }), 'x');
    expect(layouts).toEqual(['duet']);
    expect(tasks).toEqual([
      { id: 'add', prompt: 'Write add(a, b).', test: 'assert add(1, 2) == 3' },
      { id: '7', prompt: 'p', test: 't', entryPoint: 'f' },
    ]);
  });

  it('read HumanEval as published: the signature shown as code, check(candidate) called on the entry point', () => {
    const line = {
      task_id: 'HumanEval/0',
      prompt: 'def has_close_elements(numbers, threshold):\n    """Any two numbers closer than threshold?"""\n',
      canonical_solution: '    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n',
      test: 'METADATA = {}\n\n\ndef check(candidate):\n    assert candidate([1.0, 2.0, 3.9, 4.0], 0.3) == True\n',
      entry_point: 'has_close_elements',
    };
    const { tasks, layouts } = parseTaskLines(jsonl(line), 'HumanEval.jsonl');
    const task = tasks[0];
    expect(layouts).toEqual(['humaneval']);
    expect(task?.id).toBe('HumanEval/0');
    expect(task?.prompt).toContain('```python\ndef has_close_elements(numbers, threshold):');
    expect(task?.solution).toBe(line.prompt + line.canonical_solution);
    expect(hiddenTestCode(task as NonNullable<typeof task>)).toMatch(/def check\(candidate\):[\s\S]*\n\ncheck\(has_close_elements\)\n$/);
  });

  it('read MBPP as published: the first test shown as the example, every test hidden in the judge', () => {
    const line = {
      task_id: 2,
      text: 'Write a function to find the shared elements from the given two lists.',
      code: 'def similar_elements(a, b):\n    return tuple(set(a) & set(b))',
      test_list: ['assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))', 'assert set(similar_elements((1, 2, 3, 4),(5, 4, 3, 7))) == set((3, 4))'],
      test_setup_code: '',
      challenge_test_list: [],
    };
    const { tasks, layouts } = parseTaskLines(jsonl(line), 'mbpp.jsonl');
    expect(layouts).toEqual(['mbpp']);
    expect(tasks[0]?.id).toBe('2');
    expect(tasks[0]?.prompt).toContain(line.text);
    expect(tasks[0]?.prompt).toContain(line.test_list[0]);
    expect(tasks[0]?.prompt).not.toContain(line.test_list[1]);
    expect(tasks[0]?.test).toBe(`${line.test_list.join('\n')}\n`);
  });

  it('leave a test alone that calls check itself, and one without check', () => {
    expect(hiddenTestCode({ id: 'a', prompt: 'p', test: 'def check(f):\n    assert f(1)\n\ncheck(g)\n', entryPoint: 'g' })).toBe('def check(f):\n    assert f(1)\n\ncheck(g)\n');
    expect(hiddenTestCode({ id: 'a', prompt: 'p', test: 'assert g(1)', entryPoint: 'g' })).toBe('assert g(1)');
  });

  it.each([
    { name: 'a line that is not JSON', text: '{"id": "a", "prompt": "p", "test": "t"}\n{nope', says: /tasks\.jsonl, line 2 is not JSON/ },
    { name: 'an id used twice', text: jsonl({ id: 'a', prompt: 'p', test: 't' }, { id: 'a', prompt: 'q', test: 't' }), says: /line 2: the task id "a" is also on line 1/ },
    { name: 'a missing test', text: jsonl({ id: 'a', prompt: 'p' }), says: /line 1 looks like a Duet task, but "test" is missing/ },
    { name: 'a HumanEval line without its test', text: jsonl({ task_id: 'H/1', prompt: 'def f(): ...', entry_point: 'f' }), says: /HumanEval task, but "test" is missing/ },
    { name: 'an MBPP line with an empty test list', text: jsonl({ task_id: 1, text: 'x', test_list: [] }), says: /MBPP task, but "test_list" is wrong/ },
    { name: 'something else', text: jsonl({ question: 'x' }), says: /line 1 has none of the known layouts: Duet/ },
    { name: 'an array', text: '[1, 2]', says: /line 1 is not a JSON object/ },
    { name: 'no tasks at all', text: '\n\n', says: /has no tasks/ },
  ])('refuse $name, saying where and what', ({ text, says }) => {
    expect(refusal(text)).toMatch(says);
  });

  it('name the file and the way out when it cannot be read', async () => {
    await expect(readTaskSet('/nonexistent/tasks.jsonl')).rejects.toThrow(/Cannot read the task file \/nonexistent\/tasks\.jsonl \(ENOENT\).*--tasks builtin/);
  });
});

describe('the builtin task set', () => {
  it('has about thirty tasks with unique ids, each with hidden tests and a known-good solution', async () => {
    const set = await readTaskSet(BUILTIN_TASKS);
    expect(set.source).toBe('builtin');
    expect(set.tasks.length).toBeGreaterThanOrEqual(28);
    expect(new Set(set.tasks.map((t) => t.id)).size).toBe(set.tasks.length);
    for (const t of set.tasks) {
      expect(t.test, t.id).toMatch(/assert/);
      expect(t.solution, t.id).toMatch(/def /);
      // The hidden tests are not in the prompt: the models never see them.
      expect(t.prompt, t.id).not.toContain(t.test.split('\n')[0]);
    }
  });
});
