/**
 * The notebook as a conversation, at the controller: follow-ups that see the
 * notebook as it is now, Continue and Retry, who speaks first, each run's own
 * record, and coder-tester mode — against a real kernel and a scripted
 * OpenAI-compatible server (OpenAI's SSE, as LM Studio speaks it) on loopback.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ChatMessage, RunOptions, RunSummary, ScriptedRequest } from '@duet/server';
import { useSharedKernel, MODEL_A, MODEL_B, answer, inTurn, runCode, scriptedRun, testAssert } from '../support/scripted-run.ts';
import type { ScriptedRun, ScriptedRunOptions } from '../support/scripted-run.ts';

const shared = useSharedKernel();

async function rig(opts: Omit<ScriptedRunOptions, 'kernel'>): Promise<ScriptedRun & { go: (extra: Partial<RunOptions>) => Promise<RunSummary> }> {
  const r = await scriptedRun({ kernel: shared.kernel, ...opts });
  onTestFinished(() => r.close());
  const go = (extra: Partial<RunOptions>): Promise<RunSummary> =>
    r.controller.start({
      prompt: 'Write add(a, b) with tests.',
      models: { A: { id: MODEL_A, baseUrl: r.server.baseUrl }, B: { id: MODEL_B, baseUrl: r.server.baseUrl } },
      required: 2,
      maxTurns: 2,
      ...extra,
    });
  return Object.assign(r, { go });
}

const text = (messages: readonly ChatMessage[]): string => messages.map((m) => m.content).join('\n');
const lastRequest = (r: ScriptedRun): ScriptedRequest => r.server.requests.at(-1) as ScriptedRequest;

describe('a follow-up request', () => {
  it('sees the earlier code as the user edited it, its results and the earlier request', async () => {
    const r = await rig({
      script: inTurn(answer(`${runCode('def add(a, b):\n    return a + b')}${testAssert('assert add(1, 2) == 3')}`), answer(testAssert('assert add(0, 0) == 0')), answer(runCode('print(add([1], [2]))'))),
    });
    expect((await r.go({ prompt: 'Write an add function.' })).halted).toBe('tests-passed');
    const code = r.doc.cells.find((c) => c.duet.role === 'code');
    // The user's edit, as OpenNotebook makes it.
    r.doc.setSource(code?.id ?? '', 'def add(a, b):\n    return a + b  # handles lists too');
    r.doc.setCellMeta(code?.id ?? '', { ...(code?.duet ?? { role: 'code', model: 'A', turn: 1 }), edited: true });

    await r.go({ prompt: 'Now make add() also accept lists.', maxTurns: 1 });
    const sent = text(lastRequest(r).messages);
    expect(sent).toContain('handles lists too');
    expect(sent).toContain('edited');
    expect(sent).toContain('Write an add function.');
    expect(sent).toContain('Now make add() also accept lists.');
    expect(sent).toMatch(/test cell \d passed/);
    // The new request comes after the notebook so far.
    expect(sent.indexOf('handles lists too')).toBeLessThan(sent.lastIndexOf('Now make add() also accept lists.'));
  });

  it('starts from nothing in a new conversation', async () => {
    const r = await rig({ script: inTurn(answer(runCode('secret_helper = 41')), answer(runCode('x = 1'))) });
    await r.go({ prompt: 'Define secret_helper.', maxTurns: 1 });
    await r.go({ prompt: 'Something else entirely.', maxTurns: 1, fresh: true });
    expect(text(lastRequest(r).messages)).not.toContain('secret_helper');
    expect(r.doc.meta.contextFrom).toBe(r.doc.cells.filter((c) => c.duet.role === 'prompt').at(-1)?.id);
  });
});

describe('each run', () => {
  it('counts its own tests, and the first run keeps its record in the metadata', async () => {
    const passing = answer(`${runCode('def add(a, b):\n    return a + b')}${testAssert('assert add(2, 2) == 4')}${testAssert('assert add(0, 1) == 1')}`);
    const r = await rig({ script: inTurn(passing, passing) });
    const first = await r.go({});
    const second = await r.go({ prompt: 'Again, please.' });
    expect([first.passes, second.passes]).toEqual([2, 2]);
    expect(r.doc.run.passes).toBe(2);
    expect(r.doc.meta.runs.map((run) => ({ request: run.request, passes: run.passes, halted: run.halted }))).toEqual([
      { request: 'Write add(a, b) with tests.', passes: 2, halted: 'tests-passed' },
      { request: 'Again, please.', passes: 2, halted: 'tests-passed' },
    ]);
    expect(r.doc.meta.runs[0]?.turns).toEqual([expect.objectContaining({ turn: 1, model: 'A', promptTokens: expect.any(Number) })]);
    expect(new Set(r.doc.cells.filter((c) => c.duet.model !== null).map((c) => c.duet.run))).toEqual(new Set([0, 1]));
  });

  it('starts with the model the settings choose', async () => {
    const r = await rig({ script: inTurn(answer(runCode('x = 1')), answer(runCode('y = 2'))) });
    await r.go({ first: 'B' });
    expect(r.server.requests.map((q) => q.model)).toEqual([MODEL_B, MODEL_A]);
    expect(r.doc.cells.find((c) => c.duet.role === 'code')?.duet).toMatchObject({ model: 'B', turn: 1, modelId: MODEL_B });
  });
});

describe('Continue and Retry', () => {
  it('Continue after the turn limit runs more turns on the same request, starting with the next model', async () => {
    const r = await rig({
      script: inTurn(
        answer(runCode('def add(a, b):\n    return a - b')),
        answer(testAssert('assert add(2, 2) == 4')),
        answer(`${runCode('def add(a, b):\n    return a + b')}${testAssert('assert add(2, 2) == 4')}${testAssert('assert add(1, 1) == 2')}`),
      ),
    });
    expect((await r.go({})).halted).toBe('max-turns');
    const more = await r.go({ kind: 'continue', prompt: '' });
    expect(more.halted).toBe('tests-passed');
    expect(r.server.requests.map((q) => q.model)).toEqual([MODEL_A, MODEL_B, MODEL_A]);
    const sent = text(lastRequest(r).messages);
    expect(sent).toContain('Write add(a, b) with tests.');
    expect(sent).toContain('return a - b');
    expect(r.doc.cells.filter((c) => c.duet.role === 'prompt')).toHaveLength(1);
    expect(r.doc.meta.runs.map((run) => run.kind)).toEqual(['new', 'continue']);
    expect(Math.max(...r.doc.cells.map((c) => c.duet.turn))).toBe(3);
  });

  it('Retry after an error asks the same model again and keeps the failed turn, folded', async () => {
    const r = await rig({
      script: (req, ctx) =>
        ctx.requestIndex === 0
          ? answer(runCode('x = 1'))
          : ctx.requestIndex === 1
            ? [{ type: 'content', text: 'Here is half an ans' }, { type: 'http-error', status: 500, body: { error: { message: 'CUDA out of memory', type: 'server_error' } } }]
            : answer(`${testAssert('assert x == 1')}${testAssert('assert x + 1 == 2')}`),
    });
    expect((await r.go({})).halted).toBe('error');
    const retried = await r.go({ kind: 'retry', prompt: '' });
    expect(retried.halted).toBe('tests-passed');
    expect(r.server.requests.map((q) => q.model)).toEqual([MODEL_A, MODEL_B, MODEL_B]);
    const discarded = r.doc.cells.filter((c) => c.duet.discarded);
    expect(discarded.length).toBeGreaterThan(0);
    expect(discarded.every((c) => c.duet.model === 'B' && c.duet.turn === 2)).toBe(true);
    expect(text(lastRequest(r).messages)).not.toContain('half an ans');
  });

  it('refuses to continue a notebook that has no run', async () => {
    const r = await rig({ script: inTurn() });
    await expect(r.go({ kind: 'continue', prompt: '' })).rejects.toThrow(/no run to continue/);
    expect(r.doc.cells).toHaveLength(0);
  });
});

describe('coder-tester mode', () => {
  it("never shows B A's code, runs B's tests against A's code and sends A the failing test's source", async () => {
    const r = await rig({
      maxTurns: 4,
      script: inTurn(
        answer(`${testAssert('assert add(2, 3) == 5')}${testAssert('assert add(-1, -1) == -2')}`),
        answer(runCode('def add(a, b):\n    return abs(a) + abs(b)  # first try')),
        answer(runCode('def add(a, b):\n    return a + b')),
      ),
    });
    const summary = await r.go({ mode: 'coder-tester', maxTurns: 4 });
    expect(summary.halted).toBe('tests-passed');
    expect(summary.passes).toBe(2);
    const [tester, coder1, coder2] = r.server.requests;
    expect([tester?.model, coder1?.model, coder2?.model]).toEqual([MODEL_B, MODEL_A, MODEL_A]);
    expect(text(coder1?.messages ?? [])).not.toContain('assert add(-1, -1)');
    expect(text(coder2?.messages ?? [])).toContain('assert add(-1, -1) == -2');
    expect(text(coder2?.messages ?? [])).toContain('FAILED');
    for (const req of r.server.requests.filter((q) => q.model === MODEL_B)) expect(text(req.messages)).not.toContain('abs(a)');
    expect(r.doc.cells.filter((c) => c.duet.role === 'test').map((c) => c.duet.test?.status)).toEqual(['passed', 'passed']);
  });

  it("never runs the tester's own code, so its tests meet only the coder's", async () => {
    const r = await rig({
      maxTurns: 2,
      script: inTurn(
        answer(`${runCode('def add(a, b):\n    return a + b')}${testAssert('assert add(2, 3) == 5')}${testAssert('assert add(1, 1) == 2')}`),
        answer(runCode('def add(a, b):\n    return 0')),
      ),
    });
    const summary = await r.go({ mode: 'coder-tester', maxTurns: 2 });
    expect(summary.halted).toBe('max-turns');
    expect(summary.passes).toBe(0);
    const testerCode = r.doc.cells.find((c) => c.duet.role === 'code' && c.duet.model === 'B');
    expect(testerCode?.executionCount).toBeNull();
    expect(testerCode?.duet.unrunnable).toBe(true);
    expect(r.doc.cells.filter((c) => c.duet.role === 'test').map((c) => c.duet.test?.status)).toEqual(['failed', 'failed']);
  });
});
