/**
 * A long conversation against a small context window: 12 noisy turns (long
 * answers, 150 printed lines a cell, tests that keep failing) against a
 * 4096-token window, through the real controller and kernel. The model side is
 * an in-process chat function that counts each request with a real BPE tokenizer
 * (gpt-tokenizer, o200k) and reports it as `usage.prompt_tokens`, as servers do.
 * Figures: the largest prompt beside what resending everything — Duet 0.1's way —
 * would have sent, that prompt plus the answer's room (which must stay within the
 * window), and the time to plan one request.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { encode } from 'gpt-tokenizer';
import { KernelSession, silentLogger } from '@duet/kernel';
import { CellRunner, GenerationController, NotebookDocument, TokenEstimator, buildMessages, planRequest, systemPrompt } from '@duet/server';
import type { ChatDelta, ChatMessage, StreamChatOptions, TurnRecord } from '@duet/server';
import type { BenchRow, BenchSection } from './report.ts';
import { median, ms } from './stats.ts';

const PYTHON = '/usr/bin/python3';
const WINDOW = 4096;
const TURNS = 12;
const PLAN_RUNS = 200;
const REQUEST = 'Write parse_duration(text) that turns strings like "1h30m" or "45s" into seconds, with tests for odd inputs.';

/** Tokens of a request as a chat template would send it: each message's text plus a few tokens of framing. */
function realTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((n, m) => n + encode(m.content).length + 4, 3);
}

/** A small model's long, noisy answer: chatter, a function, a print flood, a test that fails. */
function noisyAnswer(turn: number): string {
  const body = Array.from({ length: 30 }, (_, k) => `    part_${k} = text.count("${String.fromCharCode(97 + (k % 26))}") * ${k}  # weigh letter ${k}`).join('\n');
  return [
    `Let me try again (attempt ${turn}). I think the problem is in how the units are read, so I rewrote the parser and added some debugging output to see what happens for each unit.`,
    '',
    'RUN-CODE',
    '```python',
    `def parse_duration(text):`,
    body,
    `    return ${turn}`,
    `for i in range(150):`,
    `    print("debug", i, parse_duration("1h30m"), "units checked so far:", i * ${turn})`,
    '```',
    '',
    'TEST-ASSERT',
    '```python',
    `assert parse_duration("1h30m") == 5400, parse_duration("1h30m")`,
    '```',
  ].join('\n');
}

interface Recorded {
  tokens: number;
  maxTokens: number;
  messages: ChatMessage[];
}

/** The model side: counts each request, then streams the turn's answer in word-sized pieces. */
function countingChat(log: Recorded[]): (opts: StreamChatOptions) => AsyncIterable<ChatDelta> {
  return async function* (opts) {
    const tokens = realTokens(opts.messages);
    log.push({ tokens, maxTokens: opts.maxTokens ?? 0, messages: opts.messages });
    for (const piece of noisyAnswer(log.length).match(/\s*\S+|\s+/g) ?? []) yield { type: 'content', text: piece };
    yield { type: 'finish', reason: 'stop', usage: { promptTokens: tokens, completionTokens: 400 } };
  };
}

/** What the request of each turn would have been with every turn resent in full. */
function unboundedLargest(log: readonly Recorded[]): number {
  // The relayed texts are in the requests the controller sent; the last one carries the most recent turns in full.
  const turns: TurnRecord[] = [];
  let largest = 0;
  for (let i = 0; i < log.length; i++) {
    const slot = i % 2 === 0 ? 'A' : 'B';
    largest = Math.max(largest, realTokens(buildMessages(slot, REQUEST, 2, turns)));
    turns.push({ slot, text: noisyAnswer(i + 1), feedback: `Execution results for model ${slot}'s cells:\n${'debug line of printed output\n'.repeat(150)}` });
  }
  return largest;
}

/** The median time to plan one request over histories of 1 to {@link TURNS} noisy turns. */
function planTime(): number {
  const times: number[] = [];
  const estimator = new TokenEstimator();
  for (let run = 0; run < PLAN_RUNS; run++) {
    const n = 1 + (run % TURNS);
    const turns: TurnRecord[] = Array.from({ length: n }, (_, i) => ({
      slot: i % 2 === 0 ? 'A' : 'B',
      text: noisyAnswer(i + 1),
      feedback: `Execution results:\n${'debug line of printed output\n'.repeat(150)}AssertionError: ${i}`,
      summary: `Turn ${i + 1}: 1 code cell ran; tests 1 failed (AssertionError: ${i}).`,
    }));
    const slot = n % 2 === 0 ? 'A' : 'B';
    const start = performance.now();
    planRequest({ slot, system: systemPrompt({ slot, required: 2 }), request: REQUEST, turns, window: WINDOW, estimator });
    times.push(performance.now() - start);
  }
  return median(times);
}

export async function benchConversation(): Promise<BenchSection> {
  const dir = await mkdtemp(join(tmpdir(), 'duet-bench-conv-'));
  const kernel = new KernelSession({ python: PYTHON, workdir: join(dir, 'work') });
  const log: Recorded[] = [];
  try {
    await kernel.start();
    const doc = new NotebookDocument('conversation');
    const runner = new CellRunner({ doc, kernel, cellTimeoutMs: 30_000, log: silentLogger });
    const controller = new GenerationController({ doc, runner, log: silentLogger, chat: countingChat(log) });
    const endpoint = (id: string) => ({ id, baseUrl: 'http://127.0.0.1:9/v1', context: { window: WINDOW, source: 'flag' as const } });
    const summary = await controller.start({ prompt: REQUEST, models: { A: endpoint('model-a'), B: endpoint('model-b') }, required: 2, maxTurns: TURNS });
    runner.dispose();
    if (log.length !== TURNS) throw new Error(`expected ${TURNS} requests, the run sent ${log.length} (${summary.halted})`);
    // A request past the window is this section's failure, whatever the timings say.
    if (log.some((r) => r.tokens + r.maxTokens > WINDOW)) process.exitCode = 1;
    const largest = Math.max(...log.map((r) => r.tokens));
    const withRoom = Math.max(...log.map((r) => r.tokens + r.maxTokens));
    const withRequest = log.filter((r) => r.messages.some((m) => m.content.includes(REQUEST))).length;
    const unbounded = unboundedLargest(log);
    const rows: BenchRow[] = [
      {
        name: `largest prompt of ${TURNS} noisy turns (tokens, o200k)`,
        duet: `${largest}`,
        peer: `${unbounded} (everything resent, as 0.1 did)`,
        ratio: `${(largest / unbounded).toFixed(2)}×`,
        note: `with the answer's room (max_tokens): ${withRoom} / ${WINDOW}${withRoom > WINDOW ? ' — OVER THE WINDOW' : ', within it'}; the request was in ${withRequest}/${log.length} requests`,
      },
      { name: 'request planning time per turn, median', duet: ms(planTime()), note: `over ${PLAN_RUNS} plans of 1–${TURNS} turns` },
    ];
    return { title: `Long conversation: ${TURNS} noisy turns in a ${WINDOW}-token window`, rows };
  } finally {
    await kernel.shutdown().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
