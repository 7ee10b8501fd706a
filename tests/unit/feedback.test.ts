import { describe, expect, it } from 'vitest';
import { cutToBudget, feedbackText, outputsText, stripAnsi, tracebackText } from '@duet/server';
import type { CellOutcome } from '@duet/server';
import type { NbOutput } from '@duet/kernel';

/** The feedback budget of controller/feedback.ts: a few thousand characters at most. */
const FEEDBACK_BUDGET = 6000;
const MB = 1024 * 1024;

/** Lines `0`, `1`, … `n-1`, so head and tail can be told apart. */
function numberedLines(n: number): string {
  return Array.from({ length: n }, (_, i) => `line ${i}`).join('\n');
}

function outcome(over: Partial<CellOutcome> = {}): CellOutcome {
  return { id: 'c1', kind: 'code', status: 'ok', text: '', ...over };
}

/** ipykernel's traceback pieces, coloured as it sends them. */
const SEPARATOR = '\u001b[0;31m---------------------------------------------------------------------------\u001b[0m';
const header = (ename: string): string => `\u001b[0;31m${ename}\u001b[0m${' '.repeat(Math.max(1, 42 - ename.length))}Traceback (most recent call last)`;
const cellFrame = (line: number, code: string): string => `Cell \u001b[0;32mIn [1], line ${line}\u001b[0m\n\u001b[0;32m----> ${line}\u001b[0m ${code}\n`;
const fileFrame = (path: string, line: number, fn: string, code: string): string =>
  `File \u001b[0;32m${path}:${line}\u001b[0m, in \u001b[0;36m${fn}\u001b[0;34m()\u001b[0m\n\u001b[0;32m--> ${line}\u001b[0m ${code}\n`;
const exceptionLine = (ename: string, evalue: string): string => `\u001b[0;31m${ename}\u001b[0m: ${evalue}`;
const GUARD = '/work/main/kernel/python/duet_guard.py';
const REFUSAL = "Duet blocks reading files outside the notebook's workdir (/etc/passwd)";

/** What the sandboxed kernel sends for `open('/etc/passwd')`: the cell, two frames of the guard's audit hook, the refusal. */
const GUARD_TRACEBACK = [
  SEPARATOR,
  header('PermissionError'),
  cellFrame(1, "open('/etc/passwd')"),
  fileFrame(GUARD, 388, 'make_audit_hook.<locals>.hook', 'refuse(f"reading files outside the notebook\'s workdir ({target})")'),
  fileFrame(GUARD, 338, 'make_audit_hook.<locals>.refuse', 'raise PermissionError(f"{DUET} {message}")'),
  exceptionLine('PermissionError', REFUSAL),
];

function systemExit(evalue: string): NbOutput {
  return { output_type: 'error', ename: 'SystemExit', evalue, traceback: ['An exception has occurred, use %tb to see the full traceback.\n', `\u001b[0;31mSystemExit\u001b[0m\u001b[0;31m:\u001b[0m ${evalue}\n`] };
}

describe('tracebackText', () => {
  it("keeps the model's frame and the refusal, and cuts the guard's own frames", () => {
    const text = tracebackText(GUARD_TRACEBACK);
    expect(text).toBe(`Traceback (most recent call last):\nCell In [1], line 1\n----> 1 open('/etc/passwd')\nPermissionError: ${REFUSAL}`);
  });

  it('cuts the frames of IPython and of every duet_*.py module, wherever the kernel files live', () => {
    const text = tracebackText([
      SEPARATOR,
      header('InputRejected'),
      fileFrame('/usr/lib/python3/dist-packages/IPython/core/interactiveshell.py', 3205, 'InteractiveShell.transform_ast', 'node = transformer.visit(node)'),
      fileFrame('/opt/duet/kernel/python/duet_guard.py', 221, 'CellGuard.visit', 'raise InputRejected("; ".join(problems))'),
      fileFrame('/opt/duet/kernel/python/duet_kernel.py', 10, 'run_kernel', 'app.start()'),
      fileFrame('/usr/lib/python3/dist-packages/ipykernel/ipkernel.py', 5, 'do_execute', 'res = shell.run_cell(code)'),
      exceptionLine('InputRejected', 'Duet blocks importing socket: notebook code has no network access (line 1)'),
    ]);
    expect(text).toBe('InputRejected: Duet blocks importing socket: notebook code has no network access (line 1)');
  });

  it("keeps frames of the model's own modules in the workdir", () => {
    const text = tracebackText([SEPARATOR, header('ZeroDivisionError'), cellFrame(2, 'helper.h(0)'), fileFrame('~/helper.py', 2, 'h', 'return 1 / x'), exceptionLine('ZeroDivisionError', 'division by zero')]);
    expect(text).toContain('File ~/helper.py:2, in h()');
    expect(text).toContain('helper.h(0)');
  });

  it("keeps the model's frames and the last two library frames, and says how many it left out", () => {
    const library = Array.from({ length: 5 }, (_, i) => fileFrame(`/usr/lib/python3/dist-packages/pandas/core/f${i}.py`, i + 1, `f${i}`, `step_${i}()`));
    const text = tracebackText([SEPARATOR, header('KeyError'), cellFrame(3, "df['missing']"), ...library, exceptionLine('KeyError', "'missing'")]);
    expect(text).toContain("df['missing']");
    expect(text).toContain('[… 3 frames inside libraries left out …]');
    expect(text).not.toMatch(/step_[012]\(\)/);
    expect(text).toMatch(/step_3\(\)[\s\S]*step_4\(\)[\s\S]*KeyError: 'missing'$/);
  });

  it('keeps both exceptions of a chain', () => {
    const text = tracebackText([
      SEPARATOR,
      header('ZeroDivisionError'),
      cellFrame(2, '1/0'),
      exceptionLine('ZeroDivisionError', 'division by zero'),
      '\nDuring handling of the above exception, another exception occurred:\n',
      SEPARATOR,
      header('ValueError'),
      cellFrame(4, "raise ValueError('wrapped')"),
      exceptionLine('ValueError', 'wrapped'),
    ]);
    expect(text).toMatch(/ZeroDivisionError: division by zero\n\nDuring handling of the above exception[\s\S]*ValueError: wrapped$/);
  });

  it("drops IPython's pointer to %tb from a SystemExit", () => {
    const exit = systemExit('2');
    expect(exit.output_type === 'error' && tracebackText(exit.traceback)).toBe('SystemExit: 2');
  });
});

describe('cutToBudget', () => {
  it('leaves text within the budget alone', () => {
    expect(cutToBudget('short', 100)).toBe('short');
  });

  it.each([
    { name: 'a budget of a few thousand', budget: 1500 },
    { name: 'a budget of a few hundred', budget: 200 },
    { name: 'a budget smaller than the note', budget: 20 },
    { name: 'a budget of zero', budget: 0 },
  ])('never goes over $name', ({ budget }) => {
    const text = 'x'.repeat(MB);
    expect(cutToBudget(text, budget).length).toBeLessThanOrEqual(budget);
  });

  it('keeps the head and the tail and says how much it cut', () => {
    const text = numberedLines(10_000);
    const cut = cutToBudget(text, 1000);
    expect(cut.startsWith('line 0\nline 1\n')).toBe(true);
    expect(cut.endsWith('line 9998\nline 9999')).toBe(true);
    const counted = /\[… (\d+) characters cut …\]/.exec(cut);
    expect(counted).not.toBeNull();
    const kept = cut.length - (counted?.[0].length ?? 0) - 2;
    expect(Number(counted?.[1]) + kept).toBe(text.length);
  });
});

describe('feedbackText', () => {
  it('says when nothing was runnable', () => {
    expect(feedbackText('A', [])).toMatch(/no RUN-CODE or TEST-ASSERT block/);
  });

  it("names the model and gives each cell's status and output", () => {
    const text = feedbackText('B', [
      outcome({ text: 'hello\n' }),
      outcome({ id: 'c2', kind: 'test', status: 'error', testStatus: 'failed', text: 'AssertionError: fib(10) != 55\n' }),
    ]);
    expect(text).toContain("model B's cells");
    expect(text).toMatch(/\[code cell 1\] ran\nhello/);
    expect(text).toMatch(/\[test cell 2\] raised an error — test FAILED\nAssertionError: fib\(10\) != 55/);
  });

  it('passes on the notes of blocks that were not run', () => {
    expect(feedbackText('A', [], ['Not run: a bash block.'])).toContain('Not run: a bash block.');
  });

  it.each([
    { name: 'one cell printing 1 MB', cells: 1 },
    { name: 'four cells printing 1 MB each', cells: 4 },
    { name: 'a hundred cells printing 1 MB each', cells: 100 },
  ])('stays within its budget for $name', ({ cells }) => {
    const flood = numberedLines(120_000);
    expect(flood.length).toBeGreaterThan(MB);
    const outcomes = Array.from({ length: cells }, (_, i) => outcome({ id: `c${i}`, text: flood }));
    const text = feedbackText('A', outcomes, ['Not run: a bash block.']);
    expect(text.length).toBeLessThanOrEqual(FEEDBACK_BUDGET);
    expect(text).toMatch(/characters cut/);
  });

  it('gives the reason a test without any assert does not count, and how to fix it', () => {
    const text = feedbackText('A', [outcome({ kind: 'test', status: 'ok', testStatus: 'not-run', text: 'looks right\n' })]);
    expect(text).toContain(
      '[test cell 1] ran — test NOT COUNTED: it ran, but has no assert statement, so it proves nothing — use plain `assert` statements (print() is not a test)',
    );
  });

  it('tells a test dropped from the queue apart from one without asserts', () => {
    const text = feedbackText('A', [outcome({ kind: 'test', status: 'not-run', testStatus: 'not-run' })]);
    expect(text).toContain('[test cell 1] was not run — test NOT RUN: it was dropped from the queue');
    expect(text).not.toContain('assert');
  });

  it('says a blocked test never counts', () => {
    const text = feedbackText('A', [outcome({ kind: 'test', status: 'error', testStatus: 'blocked', text: `PermissionError: ${REFUSAL}`, error: { ename: 'PermissionError', evalue: REFUSAL } })]);
    expect(text).toMatch(/test BLOCKED: the sandbox refused what it tried to do, so it never counts\nPermissionError: Duet blocks/);
  });

  it.each([
    { name: 'a test cell', kind: 'test' as const },
    { name: 'a code cell', kind: 'code' as const },
  ])('answers a SystemExit in $name with a hint to use plain asserts', ({ kind }) => {
    const text = feedbackText('A', [outcome({ kind, status: 'error', ...(kind === 'test' ? { testStatus: 'error' as const } : {}), text: 'OK\nSystemExit: False', error: { ename: 'SystemExit', evalue: 'False' } })]);
    expect(text).toMatch(/SystemExit: False\nHint: .*Use plain assert statements; unittest\/pytest runners are not used here\.$/);
  });

  it('relays a guard refusal in full, however much each of several cells printed before it', () => {
    const refusal = Array.from({ length: 5 }, (_, i) => `Duet blocks os.system(): it would start another program, and notebook code may not (line ${i + 1})`).join('; ');
    const flood = numberedLines(120_000);
    const outcomes = Array.from({ length: 6 }, (_, i) =>
      outcome({ id: `c${i}`, status: 'error', text: `${flood}\nTraceback (most recent call last):\nInputRejected: ${refusal}`, error: { ename: 'InputRejected', evalue: refusal } }),
    );
    const text = feedbackText('A', outcomes);
    expect(text.length).toBeLessThanOrEqual(FEEDBACK_BUDGET);
    expect(text.split(`InputRejected: ${refusal}`)).toHaveLength(7);
    expect(text).toMatch(/characters cut/);
  });

  it('keeps the end of a long traceback, where the error is', () => {
    const text = feedbackText('A', [outcome({ status: 'error', text: `${'noise\n'.repeat(100_000)}ZeroDivisionError: division by zero` })]);
    expect(text).toMatch(/ZeroDivisionError: division by zero$/);
  });
});

describe('outputsText', () => {
  it('gives streams, plain-text results, images and the traceback, without colour codes', () => {
    const text = outputsText([
      { output_type: 'stream', name: 'stdout', text: 'printed\n' },
      { output_type: 'execute_result', execution_count: 1, data: { 'text/plain': '42', 'text/html': '<b>42</b>' }, metadata: {} },
      { output_type: 'display_data', data: { 'image/png': 'iVBOR' }, metadata: {} },
      { output_type: 'error', ename: 'ValueError', evalue: 'bad', traceback: [SEPARATOR, header('ValueError'), cellFrame(1, 'raise ValueError("bad")'), '\u001b[0;31mValueError\u001b[0m: bad'] },
    ]);
    expect(text).toBe('printed\n42\n[image]\nTraceback (most recent call last):\nCell In [1], line 1\n----> 1 raise ValueError("bad")\nValueError: bad\n');
  });

  it("leaves out IPython's advice to use exit() after a SystemExit", () => {
    const text = outputsText([
      { output_type: 'stream', name: 'stderr', text: 'Ran 1 test\n' },
      systemExit('True'),
      {
        output_type: 'stream',
        name: 'stderr',
        text: `/usr/lib/python3/dist-packages/IPython/core/interactiveshell.py:3386: UserWarning: To exit: use 'exit', 'quit', or Ctrl-D.\n  warn("To exit: use 'exit', 'quit', or Ctrl-D.", stacklevel=1)\n`,
      },
    ]);
    expect(text).toBe('Ran 1 test\nSystemExit: True\n');
  });

  it('strips ANSI colour codes', () => {
    expect(stripAnsi('\u001b[1;31mred\u001b[0m')).toBe('red');
  });
});
