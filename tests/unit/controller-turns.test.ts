/**
 * The generation controller without Python or HTTP: a scripted kernel runs the
 * cells and a chat function stands in for the models. Halting, whose turn it is,
 * and what the next model is told.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { silentLogger } from '@duet/kernel';
import { CellRunner, GenerationController, ModelMemory, NotebookDocument } from '@duet/server';
import type { ChatDelta, ChatMessage, RunSummary, StreamChatOptions } from '@duet/server';
import { FakeKernel, type FakeKernelOptions } from '../support/fake-kernel.ts';

const runCode = (source: string): string => `RUN-CODE\n\`\`\`python\n${source}\n\`\`\`\n\n`;
const testAssert = (source: string): string => `TEST-ASSERT\n\`\`\`python\n${source}\n\`\`\`\n\n`;

interface Asked {
  model: string;
  messages: ChatMessage[];
  signal: AbortSignal | undefined;
}

/** One answer: text streamed in small pieces, then, unless `hold`, the finish; a held answer waits until the run aborts it. */
type Answer = { text: string; hold?: boolean };

/** A chat function that gives the n-th request the n-th answer, and records every request. */
function scriptedChat(answers: Answer[]): { chat: (o: StreamChatOptions) => AsyncIterable<ChatDelta>; asked: Asked[] } {
  const asked: Asked[] = [];
  async function* chat(o: StreamChatOptions): AsyncIterable<ChatDelta> {
    const a = answers[asked.length] ?? { text: 'Nothing more to add.' };
    asked.push({ model: o.model, messages: o.messages, signal: o.signal });
    for (let i = 0; i < a.text.length; i += 16) yield { type: 'content', text: a.text.slice(i, i + 16) };
    if (a.hold) {
      await new Promise<void>((resolve) => o.signal?.addEventListener('abort', () => resolve(), { once: true }));
      throw new Error('aborted');
    }
    yield { type: 'finish', reason: 'stop' };
  }
  return { chat, asked };
}

function wire(answers: Answer[], kernelOpts: FakeKernelOptions = {}) {
  const doc = new NotebookDocument('turns');
  const kernel = new FakeKernel(kernelOpts);
  const runner = new CellRunner({ doc, kernel, cellTimeoutMs: 60_000, interruptGraceMs: 100, log: silentLogger });
  const { chat, asked } = scriptedChat(answers);
  const controller = new GenerationController({ doc, runner, log: silentLogger, chat, memory: new ModelMemory() });
  onTestFinished(() => {
    controller.stop();
    runner.dispose();
  });
  const start = (opts: { required?: number; maxTurns?: number } = {}): Promise<RunSummary> =>
    controller.start({
      prompt: 'Write add(a, b) with tests.',
      models: { A: { id: 'model-a', baseUrl: 'fake://a' }, B: { id: 'model-b', baseUrl: 'fake://b' } },
      required: opts.required ?? 2,
      maxTurns: opts.maxTurns ?? 4,
    });
  return { doc, kernel, runner, controller, asked, start };
}

const text = (messages: readonly ChatMessage[]): string => messages.map((m) => m.content).join('\n');

describe('GenerationController with a scripted kernel', () => {
  it('halts once the second test is green: the third test never runs, the stream is aborted and model B is never asked', async () => {
    const r = wire([{ text: `${runCode('def add(a, b):\n    return a + b')}${testAssert('assert add(2, 3) == 5')}${testAssert('assert add(0, 0) == 0')}${testAssert('assert add(1, 1) == 2')}`, hold: true }]);
    const summary = await r.start();

    expect(summary).toMatchObject({ halted: 'tests-passed', passes: 2, required: 2, turns: 1 });
    expect(r.asked.map((a) => a.model)).toEqual(['model-a']);
    expect(r.asked[0]?.signal?.aborted).toBe(true);
    expect(r.kernel.ran).not.toContain('assert add(1, 1) == 2');
    expect(r.doc.cells.filter((c) => c.duet.role === 'test').map((c) => c.duet.test?.status)).toEqual(['passed', 'passed', 'not-run']);
  });

  it('gives A and B turns in order and ends at the turn limit', async () => {
    const r = wire([{ text: runCode('x = 1') }, { text: runCode('x += 1') }, { text: runCode('x += 1') }]);
    const summary = await r.start({ maxTurns: 3 });

    expect(summary).toMatchObject({ halted: 'max-turns', passes: 0, turns: 3 });
    expect(r.asked.map((a) => a.model)).toEqual(['model-a', 'model-b', 'model-a']);
    expect(r.kernel.ran).toEqual(['x = 1', 'x += 1', 'x += 1']);
    // B hears A's code as a user message that says who wrote it.
    expect(text(r.asked[1]?.messages ?? [])).toContain('Model A wrote');
  });

  it('ends a run as no progress after two turns with nothing to run', async () => {
    const r = wire([{ text: 'I would write add.' }, { text: 'Me too.' }]);
    expect((await r.start()).halted).toBe('no-progress');
  });

  it('shows the other model a failing test with its error, and counts its fix', async () => {
    const failing = 'assert add(2, 3) == 5, "add(2, 3) should be 5"';
    const r = wire(
      [{ text: `${runCode('def add(a, b):\n    return a - b')}${testAssert(failing)}` }, { text: `${runCode('def add(a, b):\n    return a + b')}${testAssert('assert add(2, 3) == 5')}${testAssert('assert add(0, 0) == 0')}` }],
      { cells: { [failing]: { kind: 'reply', error: { ename: 'AssertionError', evalue: 'add(2, 3) should be 5' } } } },
    );
    const summary = await r.start();

    expect(summary).toMatchObject({ halted: 'tests-passed', passes: 2, turns: 2 });
    const toB = text(r.asked[1]?.messages ?? []);
    expect(toB).toContain('return a - b');
    expect(toB).toContain('AssertionError: add(2, 3) should be 5');
    expect(toB).toMatch(/test FAILED/);
    expect(r.doc.cells.some((c) => c.duet.role === 'feedback' && c.duet.to === 'B')).toBe(true);
  });

  it('stops a run whose cell ignores the interrupt: the kernel is restarted and the run ends stopped', async () => {
    const r = wire([{ text: runCode('while True: pass') }], { dropInterruptReply: true, cells: { 'while True: pass': { kind: 'deaf' } } });
    const running = r.start();
    await expect.poll(() => r.runner.current).not.toBeNull();
    r.controller.stop();
    const summary = await running;

    expect(summary.halted).toBe('stopped');
    expect(r.kernel.restarts).toBe(1);
  });
});
