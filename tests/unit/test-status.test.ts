import { describe, expect, it } from 'vitest';
import { hasAssert, testStatusFor } from '@duet/server';
import type { ExecuteResult, NbOutput } from '@duet/kernel';

describe('hasAssert', () => {
  it.each([
    { name: 'a plain assert', source: 'assert f(2) == 4', expected: true },
    { name: 'an assert with a message', source: 'assert ok, "not ok"', expected: true },
    { name: 'an indented assert under an if', source: 'if True:\n    assert x', expected: true },
    { name: 'an assert after a semicolon', source: 'x = 1; assert x', expected: true },
    { name: 'an assert after a compound-statement colon', source: 'for i in range(3): assert i >= 0', expected: true },
    { name: 'an assert after a string holding a colon', source: 'x = "a:b"; assert x', expected: true },
    { name: 'an assert after a dict literal', source: "d = {'k': 1}; assert d['k'] == 1", expected: true },
    { name: 'an assert inside a function that is called', source: 'def check():\n    assert f(1) == 2\n\ncheck()', expected: true },
    { name: 'an assert inside a test method', source: 'class T:\n    def test(self):\n        assert 1 + 1 == 2\nT().test()', expected: true },
    { name: 'an assert after a multi-line string', source: 's = """\nnot code\n"""\nassert s', expected: true },
    { name: 'an assert in parentheses', source: 'assert(f(1) == 1)', expected: true },
    { name: 'an assert in a comment', source: '# assert f(2) == 4\nprint(f(2))', expected: false },
    { name: 'an assert in a trailing comment', source: 'x = 1  # assert x == 1', expected: false },
    { name: 'an assert in a one-line string', source: 'print("assert x")', expected: false },
    { name: 'an assert at the start of a string on its own line', source: "msg = (\n'assert that it works'\n)", expected: false },
    { name: 'an assert inside a triple-quoted string', source: '"""\nassert f(2) == 4\n"""', expected: false },
    { name: 'an assert inside a single-quoted docstring', source: "def f():\n    '''\n    assert nothing\n    '''\n    return 1", expected: false },
    { name: 'an assert inside an f-string', source: 'print(f"{x}: assert {y}")', expected: false },
    { name: 'an assert after an escaped quote inside a string', source: 's = "a \\" ; assert x"', expected: false },
    { name: 'a name that starts with assert', source: 'assertion = 1\nassert_equal(1, 1)', expected: false },
    { name: 'a unittest-style method call', source: 'self.assertEqual(a, b)', expected: false },
    { name: 'no assert at all', source: 'print(f(2))', expected: false },
    { name: 'an empty cell', source: '', expected: false },
  ])('$name → $expected', ({ source, expected }) => {
    expect(hasAssert(source)).toBe(expected);
  });
});

describe('testStatusFor', () => {
  const ok: ExecuteResult = { status: 'ok', executionCount: 1 };
  const failed = (ename: string, evalue = ''): ExecuteResult => ({ status: 'error', executionCount: 1, ename, evalue });
  const errorOutput = (ename: string, evalue: string): NbOutput => ({ output_type: 'error', ename, evalue, traceback: [] });

  it.each([
    { name: 'a test that ran and asserts is passed', source: 'assert 1', result: ok, outputs: [], expected: 'passed' },
    { name: 'a test that ran without any assert proves nothing', source: 'print(1)', result: ok, outputs: [], expected: 'not-run' },
    { name: 'a test whose only assert is commented out proves nothing', source: '# assert 1', result: ok, outputs: [], expected: 'not-run' },
    { name: 'an AssertionError is failed', source: 'assert 0', result: failed('AssertionError'), outputs: [errorOutput('AssertionError', '')], expected: 'failed' },
    { name: 'another exception is error', source: 'assert g(1)', result: failed('NameError', "name 'g' is not defined"), outputs: [], expected: 'error' },
    {
      name: 'an exception from the sandbox is blocked',
      source: 'import socket\nassert socket.socket()',
      result: failed('PermissionError', 'Duet blocks network access'),
      outputs: [errorOutput('PermissionError', 'Duet blocks network access')],
      expected: 'blocked',
    },
    { name: 'asking for input is blocked', source: 'assert input()', result: failed('InputRejected'), outputs: [errorOutput('InputRejected', 'no input')], expected: 'blocked' },
    { name: 'an aborted run is not-run', source: 'assert 1', result: { status: 'aborted', executionCount: null } as ExecuteResult, outputs: [], expected: 'not-run' },
  ])('$name', ({ source, result, outputs, expected }) => {
    expect(testStatusFor(source, result, outputs)).toBe(expected);
  });
});
