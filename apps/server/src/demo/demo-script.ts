import type { ChatMessage } from '../llm/types.ts';
import type { Script, ScriptStep } from '../models/script.ts';
import { ScriptedModelServer } from '../models/scripted-server.ts';
import { DEMO_MODELS, composeAnswer } from './answers.ts';
import type { DemoAnswer, DemoModel } from './answers.ts';
import { readSituation } from './conversation.ts';
import { seededRandom } from '../util/seeded-random.ts';

/** How fast the demo models type. */
export interface DemoPacing {
  /** Mean pause between chunks in ms (each pause varies by ±⅓); 0 streams without pauses. Default 40. */
  chunkDelayMs?: number;
  /** Mean chunk length in characters (varies by ±50 %). Default 7. */
  chunkChars?: number;
  /** Pause before the first chunk, as a model reading its prompt. Default 8 × chunkDelayMs. */
  firstTokenDelayMs?: number;
}

/** What a demo model answers to these messages; the same text the demo server streams. */
export function demoAnswer(model: DemoModel, messages: readonly ChatMessage[]): DemoAnswer {
  return composeAnswer(model, readSituation(messages));
}

/** The script behind the demo models: {@link demoAnswer}, streamed in uneven chunks at a typing pace. */
export function demoScript(pacing: DemoPacing = {}): Script {
  const delay = pacing.chunkDelayMs ?? 40;
  const size = pacing.chunkChars ?? 7;
  const firstDelay = pacing.firstTokenDelayMs ?? delay * 8;
  return function* (req, ctx) {
    const model = DEMO_MODELS.find((id) => id === req.model) ?? 'demo-a';
    const answer = demoAnswer(model, req.messages);
    // Deterministic per request, so a demo run looks the same every time.
    const random = seededRandom(ctx.requestIndex + 1);
    const pause = (ms: number): ScriptStep[] => (ms > 0 ? [{ type: 'delay', ms: Math.round(ms) }] : []);
    yield* pause(firstDelay);
    for (const [type, text] of [
      ['reasoning', answer.reasoning],
      ['content', answer.content],
    ] as const) {
      let at = 0;
      while (at < text.length) {
        const length = Math.max(1, Math.round(size * (0.5 + random())));
        const end = safeEnd(text, at + length);
        yield { type, text: text.slice(at, end) };
        at = end;
        yield* pause(delay * (2 / 3 + (2 / 3) * random()));
      }
    }
    yield { type: 'finish', reason: 'stop' };
  };
}

/** Starts the demo models on an ephemeral loopback port. */
export function startDemoServer(pacing: DemoPacing = {}): Promise<ScriptedModelServer> {
  return ScriptedModelServer.start({ models: DEMO_MODELS, script: demoScript(pacing) });
}

/** Never cut a surrogate pair in two. */
function safeEnd(text: string, end: number): number {
  if (end >= text.length) return text.length;
  const code = text.charCodeAt(end - 1);
  return code >= 0xd800 && code <= 0xdbff ? end + 1 : end;
}
