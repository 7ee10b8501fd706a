/**
 * A model server that never stops (it ignores max_tokens and streams forever)
 * must not grow the server without bound: the answer is cut at its limit, the
 * stream is closed, and the run goes on. Scripted server speaking OpenAI's SSE.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { silentLogger } from '@duet/kernel';
import { CellRunner, GenerationController, NotebookDocument, ScriptedModelServer } from '@duet/server';
import type { DocumentEvent } from '@duet/server/protocol';
import { useSharedKernel, MODEL_A, MODEL_B, answer, runCode } from '../support/scripted-run.ts';

const shared = useSharedKernel();

describe('an answer that never ends', () => {
  it('is cut at the size limit, its stream closed, and the next model still gets its turn', async () => {
    const server = await ScriptedModelServer.start({
      models: [MODEL_A, MODEL_B],
      script: async function* (_req, ctx) {
        if (ctx.requestIndex === 0) {
          yield { type: 'content', text: `${runCode('x = 1').trim()}\n\n` };
          // Streams until the client leaves, whatever max_tokens said.
          while (!ctx.signal.aborted) {
            yield { type: 'content', text: 'and on and on '.repeat(20) };
            yield { type: 'delay', ms: 0 };
          }
          return;
        }
        yield* answer(runCode('y = x + 1'));
      },
    });
    onTestFinished(() => server.close());
    const doc = new NotebookDocument('endless');
    const notices: string[] = [];
    doc.on((e: DocumentEvent) => e.type === 'notice' && notices.push(e.message));
    const runner = new CellRunner({ doc, kernel: shared.kernel, cellTimeoutMs: 20_000, log: silentLogger });
    onTestFinished(() => runner.dispose());
    const controller = new GenerationController({ doc, runner, log: silentLogger, answerLimits: { chars: 20_000, ms: 600_000 } });
    const summary = await controller.start({
      prompt: 'Count.',
      models: { A: { id: MODEL_A, baseUrl: server.baseUrl }, B: { id: MODEL_B, baseUrl: server.baseUrl } },
      required: 2,
      maxTurns: 2,
    });
    expect(notices.some((n) => /Model A's answer passed 20 KiB, so Duet stopped reading it/.test(n))).toBe(true);
    expect(server.exchanges[0]?.clientClosedEarly).toBe(true);
    expect(server.requests.map((r) => r.model)).toEqual([MODEL_A, MODEL_B]);
    const prose = doc.cells.filter((c) => c.duet.role === 'prose' && c.duet.model === 'A').map((c) => c.source.length);
    expect(Math.max(...prose)).toBeLessThan(40_000);
    expect(summary.turns).toBe(2);
  });
});
