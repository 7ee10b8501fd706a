import { spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DEMO_TOPICS, FALLBACK_TOPIC, demoAnswer, startDemoServer, streamChat } from '@duet/server';
import type { ChatMessage, DemoModel } from '@duet/server';

const PYTHON = '/usr/bin/python3';

/** Runs cells one after another in one namespace, as a kernel would, and names each outcome. */
const RUNNER = `
import contextlib, io, json, sys
namespace = {"__name__": "__main__"}
outcomes = []
for source in json.load(sys.stdin):
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, "<cell>", "exec"), namespace)
        outcomes.append("ok")
    except BaseException as error:
        outcomes.append(type(error).__name__)
print(json.dumps(outcomes))
`;

async function runCells(cells: string[]): Promise<string[]> {
  const child = spawn(PYTHON, ['-c', RUNNER], { stdio: ['pipe', 'pipe', 'pipe'] });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill();
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.end(JSON.stringify(cells));
  const code = await exited;
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as string[];
}

function cellsOf(text: string): string[] {
  return [...text.matchAll(/^\**(?:RUN-CODE|TEST-ASSERT)\**\n```python\n([\s\S]*?)\n```$/gm)].map((m) => m[1] ?? '');
}

const SYSTEM: ChatMessage = { role: 'system', content: 'Mark code RUN-CODE and tests TEST-ASSERT.' };
const REQUESTS = [...DEMO_TOPICS, FALLBACK_TOPIC].map((topic) => ({
  topic: topic.id,
  request: {
    fibonacci: 'Fibonacci numbers',
    primes: 'is_prime for prime numbers',
    'reverse-words': 'reverse words in a string',
    fizzbuzz: 'fizzbuzz',
    'word-frequency': 'word frequency of a text',
    palindrome: 'something the demo does not know',
    'run-length': 'run_length_encode',
    'merge-intervals': 'merge intervals',
    'binary-search': 'binary search',
    'roman-numerals': 'roman numerals',
    'balanced-brackets': 'is_balanced',
    median: 'median of numbers',
  }[topic.id],
}));

function answer(model: DemoModel, messages: ChatMessage[]): string {
  return demoAnswer(model, messages).content;
}

describe.each(REQUESTS)('the demo Python for $topic', ({ request }) => {
  const first: ChatMessage[] = [SYSTEM, { role: 'user', content: request }];
  const attempt = answer('demo-a', first);
  const afterFailure: ChatMessage[] = [
    SYSTEM,
    { role: 'user', content: `${request}\n\nModel A wrote:\n${attempt}\n\nTest cell failed:\nAssertionError` },
  ];
  const fix = answer('demo-b', afterFailure);
  const afterPass: ChatMessage[] = [...afterFailure, { role: 'assistant', content: fix }, { role: 'user', content: 'Both tests passed.' }];

  it("fails demo-a's test and passes demo-b's fix, its two tests and the extra tests", async () => {
    const extras = [answer('demo-b', afterPass), answer('demo-b', [...afterPass, { role: 'assistant', content: 'x' }, { role: 'user', content: 'passed' }])];
    const cells = [...cellsOf(attempt), ...cellsOf(fix), ...extras.flatMap(cellsOf)];
    expect(cells).toHaveLength(2 + 3 + 2);
    expect(await runCells(cells)).toEqual(['ok', 'AssertionError', 'ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it("passes demo-b's answer from scratch", async () => {
    const cells = cellsOf(answer('demo-b', first));
    expect(await runCells(cells)).toEqual(['ok', 'ok', 'ok']);
  });

  it("passes demo-a's own fix and its two tests, even where that fix misses an edge case", async () => {
    expect(await runCells(cellsOf(answer('demo-a', afterFailure)))).toEqual(['ok', 'ok', 'ok']);
  });

  it("passes demo-a's own test with the fixed function, so the bug really is in demo-a's code", async () => {
    const [code, test] = cellsOf(attempt);
    const fixedCode = cellsOf(fix)[0];
    expect(await runCells([fixedCode ?? '', test ?? ''])).toEqual(['ok', 'ok']);
    expect(await runCells([code ?? '', test ?? ''])).toEqual(['ok', 'AssertionError']);
  });
});

describe('the demo server', () => {
  it('streams the same answers through the LLM client, reasoning included', async () => {
    const server = await startDemoServer({ chunkDelayMs: 0 });
    onTestFinished(() => server.close());
    const messages: ChatMessage[] = [SYSTEM, { role: 'user', content: 'fizzbuzz' }];
    let content = '';
    let reasoning = '';
    for await (const delta of streamChat({ baseUrl: server.baseUrl, model: 'demo-b', messages })) {
      if (delta.type === 'content') content += delta.text;
      else if (delta.type === 'reasoning') reasoning += delta.text;
      else if (delta.type === 'finish') expect(delta.reason).toBe('stop');
      else throw new Error(`the demo model sent an unexpected ${delta.type} delta`);
    }
    expect({ content, reasoning }).toEqual(demoAnswer('demo-b', messages));
    expect(server.exchanges[0]?.outcome).toBe('completed');
  });
});
