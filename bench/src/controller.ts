/**
 * The generation controller end to end: tokens per second from a scripted
 * OpenAI-compatible server streaming as fast as it can (one token per SSE chunk)
 * through the client, the splitter, the document and the cell runner; and halt
 * latency, from the reply of the last required green test to the stream closed at
 * the server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KernelSession, silentLogger } from '@duet/kernel';
import { CellRunner, GenerationController, NotebookDocument, ScriptedModelServer } from '@duet/server';
import type { RunSummary, Script, ScriptStep, ScriptedExchange } from '@duet/server';
import type { BenchRow, BenchSection } from './report.ts';
import { quantile } from './stats.ts';

/** Debian's interpreter, which has ipykernel. */
const PYTHON = '/usr/bin/python3';
const THROUGHPUT_RUNS = 3;
const HALT_RUNS = 20;
const TOKENS = 60_000;
/** Tokens the server writes before it lets the event loop turn (a 0 ms delay), so client and server share one process fairly. */
const BURST = 256;
const TOKENS_TARGET = 20_000;
const HALT_TARGET_MS = 20;
const NO_PEER = 'No peer measured: no other tool runs this loop.';

const PROSE =
  'We keep the helper small and check it against a few values that are easy to work out by hand, so a mistake shows at once. ' +
  'The next block defines it and prints one result; the test after it asserts the value we expect for an ordinary input. ';

/** A long answer of prose with a code block and a test block every few hundred tokens. */
function longAnswer(tokens: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < tokens; i++) {
    const section = `${PROSE.repeat(4)}\n\nRUN-CODE\n\`\`\`python\nv${i} = ${i} * 2\n\`\`\`\n\nTEST-ASSERT\n\`\`\`python\nassert v${i} == ${i * 2}\n\`\`\`\n\n`;
    out.push(...tokenize(section));
  }
  return out.slice(0, tokens);
}

/** Word-sized pieces, each with its leading space or line break, as a tokenizer would cut them. */
function tokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

/** Lets the event loop turn: I/O and timers get their share. */
const TURN: ScriptStep = { type: 'delay', ms: 0 };

/** Streams the tokens one per chunk, pausing only for the event loop every {@link BURST} tokens; then, if `endless`, prose until the client leaves. */
function streamTokens(tokens: readonly string[], endless: boolean): Script {
  return async function* (_req, ctx) {
    let sent = 0;
    for (const text of tokens) {
      yield { type: 'content', text } satisfies ScriptStep;
      if (++sent % BURST === 0) yield TURN;
    }
    while (endless && !ctx.signal.aborted) {
      for (const text of tokenize(PROSE)) yield { type: 'content', text };
      yield TURN;
    }
    yield { type: 'finish', reason: 'stop' };
  };
}

interface Rig {
  kernel: KernelSession;
  close: () => Promise<void>;
}

async function startRig(): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'duet-bench-controller-'));
  const kernel = new KernelSession({ python: PYTHON, workdir: join(dir, 'work') });
  await kernel.start();
  return {
    kernel,
    close: async () => {
      await kernel.shutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One run against `server`; resolves with the run's summary and its one exchange. */
async function oneRun(
  rig: Rig,
  server: ScriptedModelServer,
  opts: { required: number; onHalting?: () => void },
): Promise<{ summary: RunSummary; exchange: ScriptedExchange; startedAt: number; streamEndedAt: number }> {
  const doc = new NotebookDocument('bench');
  let streamEndedAt = 0;
  let streaming = false;
  // The moment the controller has read the whole answer: the run state stops naming a streaming model.
  doc.on((e) => {
    if (e.type !== 'run-state') return;
    if (e.run.streaming !== null) streaming = true;
    else if (streaming && streamEndedAt === 0) streamEndedAt = performance.now();
  });
  const runner = new CellRunner({ doc, kernel: rig.kernel, cellTimeoutMs: 60_000, log: silentLogger });
  const controller = new GenerationController({ doc, runner, log: silentLogger, ...(opts.onHalting ? { onHalting: opts.onHalting } : {}) });
  const before = server.exchanges.length;
  const startedAt = performance.now();
  try {
    const summary = await controller.start({
      prompt: 'Benchmark.',
      models: { A: { id: 'bench-a', baseUrl: server.baseUrl }, B: { id: 'bench-b', baseUrl: server.baseUrl } },
      required: opts.required,
      maxTurns: 1,
    });
    const exchange = server.exchanges[before];
    if (!exchange) throw new Error('The scripted server received no request; the benchmark is miswired.');
    return { summary, exchange, startedAt, streamEndedAt };
  } finally {
    runner.dispose();
  }
}


async function tokensPerSecond(rig: Rig): Promise<{ median: number; cells: number }> {
  const tokens = longAnswer(TOKENS);
  const server = await ScriptedModelServer.start({ models: ['bench-a', 'bench-b'], script: streamTokens(tokens, false) });
  try {
    const rates: number[] = [];
    let cells = 0;
    for (let i = 0; i < THROUGHPUT_RUNS; i++) {
      // Never reached: every test cell runs, and the turn limit ends the run.
      const { summary, startedAt, streamEndedAt } = await oneRun(rig, server, { required: 1_000_000 });
      if (summary.halted !== 'max-turns' || streamEndedAt === 0) throw new Error(`The throughput run ended ${summary.halted}, not max-turns.`);
      rates.push(tokens.length / ((streamEndedAt - startedAt) / 1000));
      cells = summary.cells;
    }
    return { median: quantile(rates, 0.5), cells };
  } finally {
    await server.close();
  }
}

async function haltLatency(rig: Rig): Promise<number[]> {
  const opening = tokenize(`Here it is.\n\nRUN-CODE\n\`\`\`python\nh = 21\n\`\`\`\n\nTEST-ASSERT\n\`\`\`python\nassert h * 2 == 42\n\`\`\`\n\nTEST-ASSERT\n\`\`\`python\nassert h > 0\n\`\`\`\n\n`);
  const server = await ScriptedModelServer.start({ models: ['bench-a', 'bench-b'], script: streamTokens(opening, true) });
  try {
    const latencies: number[] = [];
    for (let i = 0; i < HALT_RUNS; i++) {
      let haltingAt = 0;
      let closedAt: Promise<number> | null = null;
      const onHalting = (): void => {
        haltingAt = performance.now();
        // Listening from the moment of the halt, so the time taken is when the server saw the close.
        closedAt = server.exchanges.at(-1)?.closed.then(() => performance.now()) ?? null;
      };
      const { summary } = await oneRun(rig, server, { required: 2, onHalting });
      if (summary.halted !== 'tests-passed' || closedAt === null) throw new Error(`The halt run ended ${summary.halted}, not tests-passed.`);
      latencies.push((await closedAt) - haltingAt);
    }
    return latencies;
  } finally {
    await server.close();
  }
}

/** Tokens per second through the controller, and halt latency (median and p95 of {@link HALT_RUNS} runs). */
export async function benchController(): Promise<BenchSection> {
  const rig = await startRig();
  try {
    const throughput = await tokensPerSecond(rig);
    const halts = await haltLatency(rig);
    const p50 = quantile(halts, 0.5);
    const p95 = quantile(halts, 0.95);
    const rows: BenchRow[] = [
      {
        name: `Tokens/s through the controller (${TOKENS.toLocaleString('en')} one-token chunks, ${throughput.cells} cells)`,
        duet: `${Math.round(throughput.median).toLocaleString('en')} tokens/s`,
        note: `Target ≥ ${TOKENS_TARGET.toLocaleString('en')}${throughput.median >= TOKENS_TARGET ? ' (met)' : ' (NOT met)'}. Median of ${THROUGHPUT_RUNS}. ${NO_PEER}`,
      },
      {
        name: `Halt latency: last green test → stream closed at the server (${HALT_RUNS} runs)`,
        duet: `median ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`,
        note: `Target ≤ ${HALT_TARGET_MS} ms${p95 <= HALT_TARGET_MS ? ' (met)' : ' (NOT met)'}. ${NO_PEER}`,
      },
    ];
    return { title: 'Generation controller', rows };
  } finally {
    await rig.close();
  }
}
