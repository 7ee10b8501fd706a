/**
 * The generation controller against a real kernel and a scripted OpenAI-compatible
 * server on loopback: every way a run can end, and every way a model or a cell can
 * misbehave on the way.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { FEEDBACK_BUDGET } from '@duet/server';
import type { ChatMessage, Script, ScriptStep } from '@duet/server';
import type { NotebookCell } from '@duet/server/protocol';
import { validateNotebook } from '../support/nbformat.ts';
import { useSharedKernel, MODEL_A, MODEL_B, answer, gate, inTurn, nextEvent, runCode, scriptedRun, testAssert } from '../support/scripted-run.ts';
import type { ScriptedRun, ScriptedRunOptions } from '../support/scripted-run.ts';


const shared = useSharedKernel();

async function run(opts: Omit<ScriptedRunOptions, 'kernel'>): Promise<ScriptedRun> {
  const r = await scriptedRun({ kernel: shared.kernel, ...opts });
  onTestFinished(() => r.close());
  return r;
}

/** Saves the notebook and checks it with Python's nbformat.validate. */
async function expectValidNotebook(r: ScriptedRun): Promise<void> {
  const path = await r.save(shared.dir);
  const { code, stderr } = await validateNotebook(path);
  expect(stderr).toBe('');
  expect(code).toBe(0);
}

function cellsOf(r: ScriptedRun, role: NotebookCell['duet']['role']): NotebookCell[] {
  return r.doc.cells.filter((c) => c.duet.role === role);
}

function outputText(cell: NotebookCell | undefined): string {
  return (cell?.outputs ?? []).map((o) => (o.output_type === 'stream' ? o.text : o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : '')).join('');
}

function errorName(cell: NotebookCell | undefined): string | undefined {
  const error = cell?.outputs.find((o) => o.output_type === 'error');
  return error?.output_type === 'error' ? error.ename : undefined;
}

/** Whether the kernel has these global names, asked of the kernel itself. */
async function definedInKernel(...names: string[]): Promise<boolean[]> {
  const { outputs } = await shared.kernel.run(`print(${JSON.stringify(names)}.__class__([n in globals() for n in ${JSON.stringify(names)}]))`);
  const text = outputs.map((o) => (o.output_type === 'stream' ? o.text : '')).join('');
  return JSON.parse(text.trim().replace(/True/g, 'true').replace(/False/g, 'false')) as boolean[];
}

function notices(r: ScriptedRun): string[] {
  return r.events.flatMap((e) => (e.type === 'notice' ? [e.message] : []));
}

function allText(messages: readonly ChatMessage[]): string {
  return messages.map((m) => m.content).join('\n');
}

describe('GenerationController', () => {
  it('halts mid-stream once the second test is green: the rest of the answer is never read and model B is never asked', async () => {
    const rest = gate();
    onTestFinished(() => rest.open());
    const firstPart = [
      'Here is add:\n\n',
      runCode('def add(a, b):\n    return a + b'),
      testAssert('assert add(2, 3) == 5'),
      testAssert('assert add(-1, 1) == 0'),
      testAssert('queued_test_ran = True\nassert add(0, 0) == 0'),
    ].join('');
    const r = await run({
      script: inTurn([{ type: 'content', text: firstPart }, { type: 'wait', until: rest.promise }, ...answer(runCode('never_read = True'))]),
    });
    const summary = await r.start();

    expect(summary).toMatchObject({ halted: 'tests-passed', passes: 2, required: 2, turns: 1 });
    expect(r.doc.meta.halted).toBe('tests-passed');
    expect(r.server.exchanges).toHaveLength(1);
    const exchange = r.server.exchanges[0];
    expect(await exchange?.closed).toBe('client-closed');
    expect(exchange?.clientClosedEarly).toBe(true);
    expect(exchange?.sentContent).not.toContain('never_read');
    expect(cellsOf(r, 'test').map((c) => c.duet.test?.status)).toEqual(['passed', 'passed', 'not-run']);
    expect(cellsOf(r, 'test')[2]?.executionCount).toBeNull();
    expect(await definedInKernel('queued_test_ran', 'never_read')).toEqual([false, false]);
    expect(r.doc.run).toMatchObject({ active: false, halted: 'tests-passed', passes: 2, streaming: null });
    await expectValidNotebook(r);
  });

  it('lets the other model fix a failing test after showing it the failure', async () => {
    const r = await run({
      script: inTurn(
        answer(`${runCode('def sub_add(a, b):\n    return a - b')}${testAssert('assert sub_add(2, 3) == 5, "sub_add(2, 3) should be 5"')}`),
        answer(`The sign is wrong.\n\n${runCode('def sub_add(a, b):\n    return a + b')}${testAssert('assert sub_add(2, 3) == 5')}${testAssert('assert sub_add(0, 0) == 0')}`),
      ),
    });
    const summary = await r.start();

    expect(summary).toMatchObject({ halted: 'tests-passed', passes: 2, turns: 2 });
    expect(cellsOf(r, 'test').map((c) => [c.duet.model, c.duet.test?.status])).toEqual([
      ['A', 'failed'],
      ['B', 'passed'],
      ['B', 'passed'],
    ]);
    expect(r.server.requests.map((q) => q.model)).toEqual([MODEL_A, MODEL_B]);
    const shownToB = allText(r.server.requests[1]?.messages ?? []);
    expect(shownToB).toContain('Model A wrote');
    expect(shownToB).toContain('return a - b');
    expect(shownToB).toContain('AssertionError: sub_add(2, 3) should be 5');
    expect(shownToB).toMatch(/test FAILED/);
    await expectValidNotebook(r);
  });

  it('works with a chat template that refuses two messages of one role in a row', async () => {
    const answers = [
      answer(runCode('strict_total = 1')),
      answer(runCode('strict_total += 1')),
      answer(`${testAssert('assert strict_total == 2')}${testAssert('assert strict_total > 0')}`),
    ];
    const strict: Script = (req, ctx) => {
      const repeated = req.messages.findIndex((m, i) => i > 0 && req.messages[i - 1]?.role === m.role);
      if (repeated >= 0) {
        return [{ type: 'http-error', status: 400, body: { error: { message: `Conversation roles must alternate (message ${repeated})`, type: 'invalid_request_error' } } }];
      }
      return answers[ctx.requestIndex] ?? answer('done');
    };
    const r = await run({ script: strict });
    const summary = await r.start();

    expect(summary).toMatchObject({ halted: 'tests-passed', turns: 3 });
    expect(r.server.exchanges.map((e) => e.outcome)).toEqual(['completed', 'completed', 'completed']);
    expect(r.server.requests.map((q) => q.messages.map((m) => m.role).join(' '))).toEqual(['system user', 'system user', 'system user assistant user']);
  });

  it('never runs code found in reasoning, whether reasoning_content or <think>', async () => {
    const r = await run({
      maxTurns: 1,
      script: inTurn([
        { type: 'reasoning', text: `Plan:\n${runCode('reasoning_ran = True')}` },
        ...answer(`<think>Maybe:\n${testAssert('think_ran = True\nassert True')}</think>I will write the code next turn.`),
      ]),
    });
    const summary = await r.start();

    expect(summary.halted).toBe('max-turns');
    expect(cellsOf(r, 'code')).toHaveLength(0);
    expect(cellsOf(r, 'test')).toHaveLength(0);
    const reasoning = cellsOf(r, 'reasoning').map((c) => c.source).join('\n');
    expect(reasoning).toContain('reasoning_ran = True');
    expect(reasoning).toContain('think_ran = True');
    expect(await definedInKernel('reasoning_ran', 'think_ran')).toEqual([false, false]);
    await expectValidNotebook(r);
  });

  it('does not run the open block of an answer cut off at its token limit, and says so', async () => {
    const r = await run({
      maxTurns: 1,
      script: inTurn([...answer(`${runCode('truncated_ok = True')}RUN-CODE\n\`\`\`python\ntruncated_ran = True\n`).slice(0, -1), { type: 'finish', reason: 'length' }]),
    });
    const summary = await r.start();

    expect(summary.halted).toBe('max-turns');
    const [complete, open] = cellsOf(r, 'code');
    expect(complete?.executionCount).not.toBeNull();
    expect(open?.source).toContain('truncated_ran = True');
    expect(open?.executionCount).toBeNull();
    expect(open?.duet.note).toMatch(/not run/i);
    expect(notices(r).some((n) => /cut off at its token limit/.test(n))).toBe(true);
    expect(await definedInKernel('truncated_ok', 'truncated_ran')).toEqual([true, false]);
    await expectValidNotebook(r);
  });

  const failures: { name: string; steps: ScriptStep[]; idleTimeoutMs?: number; says: RegExp; keepsProse: boolean }[] = [
    {
      name: 'an HTTP 500 before the answer',
      steps: [{ type: 'http-error', status: 500, body: { error: { message: 'model crashed', type: 'server_error' } } }],
      says: /HTTP 500.*model crashed/,
      keepsProse: false,
    },
    {
      name: 'an error event in the middle of the answer',
      steps: [{ type: 'content', text: 'Let me start with the prose.\n\n' }, { type: 'http-error', status: 500, body: { error: { message: 'out of memory', type: 'server_error' } } }],
      says: /in the middle of the answer.*out of memory/,
      keepsProse: true,
    },
    {
      name: 'a dropped connection',
      steps: [{ type: 'content', text: 'Let me start with the prose.\n\n' }, { type: 'drop' }],
      says: /closed the connection in the middle of the answer/,
      keepsProse: true,
    },
    {
      name: 'a stalled stream',
      steps: [{ type: 'content', text: 'Let me start with the prose.\n\n' }, { type: 'stall' }],
      idleTimeoutMs: 400,
      says: /sent nothing for 0\.4 s/,
      keepsProse: true,
    },
  ];

  it.each(failures)('ends the run with error on $name, keeping what streamed', async ({ steps, idleTimeoutMs, says, keepsProse }) => {
    const r = await run({ script: inTurn(steps), ...(idleTimeoutMs ? { idleTimeoutMs } : {}) });
    const summary = await r.start();

    expect(summary.halted).toBe('error');
    expect(r.doc.meta.halted).toBe('error');
    expect(r.doc.run.error).toMatch(says);
    expect(r.doc.run.error).toMatch(/Model A \(model-a\)/);
    // Said once for the run, and on the turn that failed, not again as a notice.
    expect(notices(r).some((n) => says.test(n))).toBe(false);
    const onTurn = cellsOf(r, 'feedback').filter((c) => c.duet.model === 'A' && c.duet.turn === 1);
    expect(onTurn.map((c) => c.source)).toEqual([expect.stringMatching(says)]);
    expect(r.server.exchanges).toHaveLength(1);
    await r.server.whenAllStreamsClosed();
    if (keepsProse) expect(cellsOf(r, 'prose').map((c) => c.source.trim())).toContain('Let me start with the prose.');
    await expectValidNotebook(r);
  });

  it('stops a runaway cell at the time limit and goes on with the next', async () => {
    const r = await run({
      maxTurns: 1,
      cellTimeoutMs: 1500,
      script: inTurn(answer(`${runCode('while True:\n    pass')}${runCode("after_runaway = 1\nprint('after the runaway')")}${testAssert('assert after_runaway == 1')}`)),
    });
    const summary = await r.start();

    expect(summary).toMatchObject({ halted: 'max-turns', passes: 1 });
    const [runaway, next] = cellsOf(r, 'code');
    expect(errorName(runaway)).toBe('CellTimeout');
    expect(outputText(runaway)).toMatch(/ran longer than the 1.5 s cell time limit/);
    expect(outputText(next)).toBe('after the runaway\n');
    expect(cellsOf(r, 'test')[0]?.duet.test?.status).toBe('passed');
    expect(shared.kernel.state).toBe('idle');
    await expectValidNotebook(r);
  });

  it('caps a flood of output, and the next model sees no more of it than the feedback budget', async () => {
    const r = await run({
      maxTurns: 2,
      script: inTurn(answer(runCode("print('§' * 5_000_000)")), answer('That is a lot of output.')),
    });
    const summary = await r.start();

    expect(summary.halted).toBe('max-turns');
    const flood = cellsOf(r, 'code')[0];
    const printed = outputText(flood);
    expect(printed.length).toBeGreaterThan(100_000);
    expect(printed.length).toBeLessThan(2.1 * 1024 * 1024);
    expect(printed).toMatch(/output cut at/);
    const shownToB = allText(r.server.requests[1]?.messages ?? []);
    expect(shownToB.split('§').length - 1).toBeGreaterThan(0);
    expect(shownToB.split('§').length - 1).toBeLessThanOrEqual(FEEDBACK_BUDGET);
    expect(shownToB).toMatch(/characters cut/);
    await expectValidNotebook(r);
  });

  it('says so when the kernel dies in a cell, restarts it and goes on', async () => {
    const r = await run({
      maxTurns: 1,
      script: inTurn(answer(`${runCode('import os\nos._exit(1)')}${runCode("print('alive again')")}`)),
    });
    const summary = await r.start();

    expect(summary.halted).toBe('max-turns');
    const [dying, next] = cellsOf(r, 'code');
    expect(errorName(dying)).toBe('KernelDied');
    expect(outputText(dying)).toMatch(/was restarted/);
    expect(outputText(next)).toBe('alive again\n');
    expect(notices(r).some((n) => /kernel was restarted because the kernel died/.test(n))).toBe(true);
    expect(shared.kernel.state).toBe('idle');
    await expectValidNotebook(r);
  });

  it('stops during a slow answer: the stream is closed at the server and the running cell interrupted', async () => {
    const rest = gate();
    onTestFinished(() => rest.open());
    const r = await run({
      script: inTurn([...answer(runCode("import time\nprint('sleeping', flush=True)\ntime.sleep(30)")).slice(0, -1), { type: 'wait', until: rest.promise }, ...answer('more')]),
    });
    const sleeping = nextEvent(r.doc, (e) => e.type === 'output-appended' && e.output.output_type === 'stream' && e.output.text.includes('sleeping'));
    const done = r.start();
    await sleeping;
    r.controller.stop();
    const summary = await done;
    rest.open();

    expect(summary.halted).toBe('stopped');
    expect(r.doc.meta.halted).toBe('stopped');
    expect(await r.server.exchanges[0]?.closed).toBe('client-closed');
    expect(r.server.exchanges).toHaveLength(1);
    expect(errorName(cellsOf(r, 'code')[0])).toBe('KeyboardInterrupt');
    expect(shared.kernel.state).toBe('idle');
    expect(r.controller.active).toBe(false);
    await expectValidNotebook(r);
  });

  it('stops a cell that is only just starting, rather than letting it run to the time limit', async () => {
    const rest = gate();
    onTestFinished(() => rest.open());
    const r = await run({
      interruptGraceMs: 2000,
      script: inTurn([...answer(runCode('import time\ntime.sleep(30)')).slice(0, -1), { type: 'wait', until: rest.promise }, ...answer('more')]),
    });
    const running = nextEvent(r.doc, (e) => e.type === 'cell-runtime' && e.runtime.phase === 'running');
    const done = r.start();
    await running;
    r.controller.stop();
    const summary = await done;

    expect(summary.halted).toBe('stopped');
    const cell = cellsOf(r, 'code')[0];
    // Interrupted before its code began, the kernel says so on stderr, or drops the request and is restarted.
    expect(outputText(cell)).toMatch(/KeyboardInterrupt|CellStopped/);
    expect(errorName(cell)).not.toBe('CellTimeout');
    expect(shared.kernel.state).toBe('idle');
  });

  it('ends with no-progress after two turns in a row with nothing runnable', async () => {
    const r = await run({ script: inTurn(answer('I would start by thinking about edge cases.'), answer('Agreed, edge cases first.')) });
    const summary = await r.start();

    expect(summary).toMatchObject({ halted: 'no-progress', turns: 2, passes: 0 });
    expect(r.server.exchanges).toHaveLength(2);
    expect(cellsOf(r, 'feedback').map((c) => c.source)).toEqual([
      "Model A's answer had no RUN-CODE or TEST-ASSERT block, so nothing was run.",
      "Model B's answer had no RUN-CODE or TEST-ASSERT block, so nothing was run.",
    ]);
    await expectValidNotebook(r);
  });

  it('ends with max-turns when the turns run out before the tests pass', async () => {
    const r = await run({ maxTurns: 3, script: inTurn(answer(runCode('turns_seen = 1')), answer(runCode('turns_seen += 1')), answer(testAssert('assert turns_seen == 3'))) });
    const summary = await r.start();

    expect(summary).toMatchObject({ halted: 'max-turns', turns: 3, passes: 0, required: 2 });
    expect(r.server.requests.map((q) => q.model)).toEqual([MODEL_A, MODEL_B, MODEL_A]);
    expect(cellsOf(r, 'test')[0]?.duet.test?.status).toBe('failed');
    expect(r.doc.meta).toMatchObject({ halted: 'max-turns', required: 2, models: { A: { id: MODEL_A }, B: { id: MODEL_B } } });
    await expectValidNotebook(r);
  });
});
