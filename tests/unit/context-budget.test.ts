import { describe, expect, it } from 'vitest';
import { encode } from 'gpt-tokenizer';
import { TokenEstimator, answerBudget, planRequest, systemPrompt } from '@duet/server';
import type { ChatMessage, TurnRecord } from '@duet/server';
import type { ModelSlot } from '@duet/server/protocol';

const REQUEST = 'Write parse_duration(text) that turns "1h30m" into seconds, with tests.';

/** A noisy turn: prose, a long code block and a long execution report, as small models write them. */
function noisyTurn(i: number): TurnRecord {
  const slot: ModelSlot = i % 2 === 0 ? 'A' : 'B';
  const code = Array.from({ length: 40 }, (_, k) => `    value_${k} = compute_${i}(x, ${k}) * ${k} + offset  # step ${k}`).join('\n');
  const text = `Here is attempt ${i}. I changed the parser.\n\nRUN-CODE\n\`\`\`python\ndef f_${i}(x):\n${code}\n    return x\n\`\`\`\n\nTEST-ASSERT\n\`\`\`python\nassert f_${i}(1) == 1\n\`\`\``;
  const feedback = `Execution results for model ${slot}'s cells:\n[code cell 1] ran\n${'output line that goes on and on\n'.repeat(60)}[test cell 2] raised an error — test FAILED\nAssertionError: attempt ${i}`;
  return { slot, text, feedback, summary: `Turn ${i + 1}, model ${slot}: 1 code cell ran; tests 1 failed (AssertionError: attempt ${i}).` };
}

/** Tokens as a real BPE tokenizer counts them, with the template's few tokens a message. */
function realTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((n, m) => n + encode(m.content).length + 4, 3);
}

function plan(turns: number, window: number, estimator = new TokenEstimator(), extra: Partial<Parameters<typeof planRequest>[0]> = {}) {
  const history = Array.from({ length: turns }, (_, i) => noisyTurn(i));
  const slot: ModelSlot = turns % 2 === 0 ? 'A' : 'B';
  return planRequest({ slot, system: systemPrompt({ slot, required: 2 }), request: REQUEST, turns: history, window, estimator, ...extra });
}

describe('planRequest', () => {
  it.each([0, 1, 2, 4, 8, 12, 20])('keeps a request after %i noisy turns inside a 4096-token window, answer room included', (turns) => {
    const p = plan(turns, 4096);
    expect(realTokens(p.messages) + p.maxTokens).toBeLessThanOrEqual(4096);
    expect(p.estimatedTokens + p.maxTokens).toBeLessThanOrEqual(4096);
  });

  it.each([0, 3, 12])('keeps the request in the first user message and, after turns, in the last one too (%i turns)', (turns) => {
    const p = plan(turns, 4096);
    expect(p.messages.find((m) => m.role === 'user')?.content).toContain(REQUEST);
    if (turns > 0) expect(p.messages.at(-1)?.content).toContain(REQUEST);
  });

  it('keeps every turn in full when the window has room, and folds none', () => {
    const p = plan(4, 128_000);
    expect(p.folded).toBe(0);
    expect(p.summary).toBeNull();
    for (let i = 0; i < 4; i++) expect(p.messages.some((m) => m.content.includes(`def f_${i}(x):`))).toBe(true);
  });

  it('folds the oldest turns first into summary lines that say how they went, and keeps the latest in full', () => {
    const p = plan(12, 4096);
    expect(p.folded).toBeGreaterThan(0);
    expect(p.summary).toContain('Turn 1, model A');
    expect(p.summary).toContain('AssertionError: attempt 0');
    expect(p.messages.some((m) => m.content.includes(p.summary as string))).toBe(true);
    expect(p.messages.some((m) => m.content.includes('def f_11(x):'))).toBe(true);
    expect(p.messages.some((m) => m.content.includes('def f_0(x):'))).toBe(false);
  });

  it('never puts two messages of one role in a row and ends with a user message', () => {
    for (const turns of [1, 5, 12]) {
      const p = plan(turns, 4096);
      expect(p.messages.findIndex((m, i) => i > 0 && p.messages[i - 1]?.role === m.role)).toBe(-1);
      expect(p.messages.at(-1)?.role).toBe('user');
    }
  });

  it('plans for less after an overflow, so the retry is smaller', () => {
    const loose = plan(12, 4096);
    const tight = plan(12, 4096, new TokenEstimator(), { tightness: 0.6 });
    expect(tight.estimatedTokens).toBeLessThan(loose.estimatedTokens);
  });

  it('puts the rules in the first user message when the template refuses the system role', () => {
    const p = plan(2, 4096, new TokenEstimator(), { foldSystem: true });
    expect(p.messages.some((m) => m.role === 'system')).toBe(false);
    expect(p.messages[0]?.role).toBe('user');
    expect(p.messages[0]?.content).toContain('You are model A');
    expect(p.messages[0]?.content).toContain(REQUEST);
  });

  it('cuts a huge request to fit, keeping its beginning and end', () => {
    const request = `BEGIN ${'lorem ipsum '.repeat(5000)} END`;
    const p = planRequest({ slot: 'A', system: systemPrompt({ slot: 'A', required: 2 }), request, turns: [], window: 4096, estimator: new TokenEstimator() });
    expect(realTokens(p.messages) + p.maxTokens).toBeLessThanOrEqual(4096);
    expect(p.messages[1]?.content).toContain('BEGIN');
    expect(p.messages[1]?.content).toContain('END');
  });

  it('stays inside even a 2048-token window (older Ollama) after 12 turns', () => {
    const p = plan(12, 2048);
    expect(realTokens(p.messages) + p.maxTokens).toBeLessThanOrEqual(2048);
  });
});

describe('answerBudget', () => {
  it.each([
    { window: 512, expected: 204 },
    { window: 4096, expected: 1228 },
    { window: 8192, expected: 2048 },
    { window: 131_072, expected: 2048 },
  ])('leaves $expected tokens for the answer in a $window-token window', ({ window, expected }) => {
    expect(answerBudget(window)).toBe(expected);
  });
});

describe('TokenEstimator', () => {
  it('starts by overestimating what a real tokenizer counts for code and prose', () => {
    const text = noisyTurn(3).text + noisyTurn(4).feedback;
    expect(new TokenEstimator().tokens(text)).toBeGreaterThan(encode(text).length);
  });

  it("learns the server's count, and then estimates close to it", () => {
    const estimator = new TokenEstimator();
    const messages: ChatMessage[] = [{ role: 'user', content: noisyTurn(1).text }];
    estimator.learn(messages, realTokens(messages));
    expect(estimator.measured).toBe(true);
    const other: ChatMessage[] = [{ role: 'user', content: noisyTurn(7).text }];
    const estimate = estimator.messageTokens(other);
    const real = realTokens(other);
    expect(estimate).toBeGreaterThanOrEqual(real);
    expect(estimate).toBeLessThan(real * 1.25);
  });

  it('ignores a count that cannot be right', () => {
    const estimator = new TokenEstimator();
    estimator.learn([{ role: 'user', content: 'hello' }], 0);
    expect(estimator.measured).toBe(false);
  });

  it('after an overflow, never estimates fewer tokens than before', () => {
    const estimator = new TokenEstimator();
    const messages: ChatMessage[] = [{ role: 'user', content: 'x'.repeat(3000) }];
    const before = estimator.messageTokens(messages);
    estimator.learnOverflow(messages, 100);
    expect(estimator.messageTokens(messages)).toBeGreaterThanOrEqual(before);
  });
});

describe('planRequest, after calibration and with a notebook behind the request', () => {
  /** An estimator that has learnt from a request of English rules, as the first request of a run is. */
  function calibratedOnProse(): TokenEstimator {
    const estimator = new TokenEstimator();
    const prose: ChatMessage[] = [{ role: 'system', content: systemPrompt({ slot: 'A', required: 2 }) }, { role: 'user', content: REQUEST }];
    estimator.learn(prose, realTokens(prose));
    return estimator;
  }

  it('keeps code-heavy turns inside the window after learning from prose', () => {
    const estimator = calibratedOnProse();
    for (const turns of [2, 4, 8, 12]) {
      const p = plan(turns, 4096, estimator);
      expect(realTokens(p.messages) + p.maxTokens, `${turns} turns`).toBeLessThanOrEqual(4096);
    }
  });

  const history = (n: number): TurnRecord[] =>
    Array.from({ length: n }, (_, i) => (i % 5 === 0 ? { slot: 'A' as const, byUser: true, request: true, text: `The user's earlier request: step ${i}`, feedback: '', summary: `The user asked: step ${i}` } : noisyTurn(i)));

  it('keeps the latest turns in full however long the notebook behind them is, dropping the oldest summary lines', () => {
    const turns = [noisyTurn(100), noisyTurn(101)];
    const p = planRequest({ slot: 'A', system: systemPrompt({ slot: 'A', required: 2 }), request: REQUEST, history: history(60), turns, window: 4096, estimator: new TokenEstimator() });
    expect(realTokens(p.messages) + p.maxTokens).toBeLessThanOrEqual(4096);
    expect(p.messages.some((m) => m.content.includes('def f_101(x):'))).toBe(true);
    expect(p.messages.some((m) => m.content.includes('def f_100(x):'))).toBe(true);
    expect(p.summary).toMatch(/earlier items left out/);
  });

  it("puts the notebook's records before the request and the user's own words as user messages", () => {
    const p = planRequest({ slot: 'B', system: systemPrompt({ slot: 'B', required: 2 }), request: REQUEST, history: history(3), turns: [], window: 128_000, estimator: new TokenEstimator() });
    const all = p.messages.map((m) => m.content).join('\n');
    expect(all.indexOf("The user's earlier request: step 0")).toBeLessThan(all.indexOf(REQUEST));
    expect(p.messages.find((m) => m.content.includes("The user's earlier request"))?.role).toBe('user');
  });

  it('gives the answer less room, and says so, when the rules alone nearly fill a tiny window', () => {
    const system = `${systemPrompt({ slot: 'A', required: 2 })}\n\n${'Always explain every line in detail. '.repeat(60)}`;
    const p = planRequest({ slot: 'A', system, request: REQUEST, turns: [], window: 1024, estimator: new TokenEstimator() });
    expect(p.overBudget).toBe(true);
    expect(p.maxTokens).toBeLessThan(answerBudget(1024));
  });
});
