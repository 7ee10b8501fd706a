import { describe, expect, it } from 'vitest';
import { DEMO_TOPICS, FALLBACK_TOPIC, demoAnswer, demoScript, readSituation } from '@duet/server';
import type { ChatMessage, DemoModel, ScriptStep } from '@duet/server';

const SYSTEM: ChatMessage = { role: 'system', content: 'You write Python with tests. Mark runnable blocks RUN-CODE and tests TEST-ASSERT.' };

const PROMPTS = [
  { prompt: 'Write a function that returns the n-th Fibonacci number.', topic: 'fibonacci', fn: 'fib' },
  { prompt: 'Check whether a number is prime (is_prime).', topic: 'primes', fn: 'is_prime' },
  { prompt: 'List the prime numbers below 100', topic: 'primes', fn: 'is_prime' },
  { prompt: 'Reverse the words in a string', topic: 'reverse-words', fn: 'reverse_words' },
  { prompt: 'FizzBuzz up to n please', topic: 'fizzbuzz', fn: 'fizzbuzz' },
  { prompt: 'Compute word frequency for a text', topic: 'word-frequency', fn: 'word_frequencies' },
  { prompt: 'Count the words in a document and how often each appears', topic: 'word-frequency', fn: 'word_frequencies' },
  { prompt: 'Sort a list of dictionaries by a key', topic: 'palindrome', fn: 'is_palindrome' },
  { prompt: 'Write run_length_encode(s) for runs of repeated characters', topic: 'run-length', fn: 'run_length_encode' },
  { prompt: 'Merge overlapping intervals', topic: 'merge-intervals', fn: 'merge_intervals' },
  { prompt: 'Binary search in a sorted list', topic: 'binary-search', fn: 'binary_search' },
  { prompt: 'Turn an integer into Roman numerals', topic: 'roman-numerals', fn: 'to_roman' },
  { prompt: 'Write is_balanced(s) for brackets', topic: 'balanced-brackets', fn: 'is_balanced' },
  { prompt: 'The median of a list of numbers', topic: 'median', fn: 'median' },
] as const;

/** The marked blocks of an answer, in order, as a simple splitter would see them. */
function markedBlocks(text: string): { marker: 'RUN-CODE' | 'TEST-ASSERT'; code: string }[] {
  const blocks: { marker: 'RUN-CODE' | 'TEST-ASSERT'; code: string }[] = [];
  for (const match of text.matchAll(/^\**(RUN-CODE|TEST-ASSERT)\**\n```python\n([\s\S]*?)\n```$/gm)) {
    blocks.push({ marker: match[1] as 'RUN-CODE' | 'TEST-ASSERT', code: match[2] ?? '' });
  }
  return blocks;
}

function count(text: string, marker: 'RUN-CODE' | 'TEST-ASSERT'): number {
  return markedBlocks(text).filter((b) => b.marker === marker).length;
}

function ask(prompt: string): ChatMessage[] {
  return [SYSTEM, { role: 'user', content: prompt }];
}

/** The conversation demo-b gets after demo-a's turn ran, shaped like the controller's feedback. */
function afterTurnOfA(prompt: string, results: string): ChatMessage[] {
  const answer = demoAnswer('demo-a', ask(prompt)).content;
  return [SYSTEM, { role: 'user', content: `${prompt}\n\nModel A wrote:\n\n${answer}\n\nExecution results:\n${results}` }];
}

const FAILED = 'Code cell 1: ran.\nTest cell 2: failed.\nTraceback (most recent call last):\n  ...\nAssertionError';
const PASSED = 'Code cell 1: ran.\nTest cell 2: passed.\nTest cell 3: passed.';

describe('demo models', () => {
  describe.each(PROMPTS)('asked "$prompt"', ({ prompt, topic, fn }) => {
    it(`picks the ${topic} task`, () => {
      expect(readSituation(ask(prompt)).topic.id).toBe(topic);
    });

    it('demo-a answers with prose, a RUN-CODE block and a TEST-ASSERT block', () => {
      const { content } = demoAnswer('demo-a', ask(prompt));
      expect(count(content, 'RUN-CODE')).toBe(1);
      expect(count(content, 'TEST-ASSERT')).toBe(1);
      expect(markedBlocks(content)[0]?.code).toContain(`def ${fn}(`);
      expect(content.split('RUN-CODE')[0]?.trim().length).toBeGreaterThan(40);
    });

    it('demo-b answers from scratch with reasoning, code and two tests', () => {
      const { reasoning, content } = demoAnswer('demo-b', ask(prompt));
      expect(reasoning.length).toBeGreaterThan(20);
      expect(count(content, 'RUN-CODE')).toBe(1);
      expect(count(content, 'TEST-ASSERT')).toBe(2);
    });

    it('demo-b reads the failure, thinks, and answers with a fix and two tests', () => {
      const messages = afterTurnOfA(prompt, FAILED);
      expect(readSituation(messages).stage).toBe('after-failure');
      const { content } = demoAnswer('demo-b', messages);
      expect(content).toMatch(/^<think>\n[^<]+\n<\/think>\n\n/);
      expect(count(content, 'RUN-CODE')).toBe(1);
      expect(count(content, 'TEST-ASSERT')).toBe(2);
      const fixed = markedBlocks(content)[0]?.code;
      expect(fixed).toContain(`def ${fn}(`);
      expect(fixed).not.toBe(markedBlocks(demoAnswer('demo-a', ask(prompt)).content)[0]?.code);
    });

    it('demo-b adds one more test when the tests passed', () => {
      const messages = afterTurnOfA(prompt, PASSED);
      expect(readSituation(messages).stage).toBe('after-pass');
      const { content } = demoAnswer('demo-b', messages);
      expect(count(content, 'RUN-CODE')).toBe(0);
      expect(count(content, 'TEST-ASSERT')).toBe(1);
    });
  });

  it.each([
    { name: 'a request alone is a first turn', messages: ask('fizzbuzz'), stage: 'first' },
    { name: 'a traceback after the code is a failure', messages: afterTurnOfA('fizzbuzz', 'Traceback (most recent call last):\nAssertionError'), stage: 'after-failure' },
    { name: 'a test that passed after one that failed is a pass', messages: afterTurnOfA('fizzbuzz', 'Test cell 2: failed\nTest cell 4: passed'), stage: 'after-pass' },
    { name: 'results with no failure are a pass', messages: afterTurnOfA('fizzbuzz', '[1, 2, "Fizz"]'), stage: 'after-pass' },
    {
      name: 'error names inside the test code do not count as failures',
      messages: [
        SYSTEM,
        { role: 'user', content: 'fib' },
        { role: 'assistant', content: demoAnswer('demo-b', ask('fib')).content.replace('raised = True', 'raised = True  # ValueError failed AssertionError') },
        { role: 'user', content: 'Test cell 3: passed.' },
      ],
      stage: 'after-pass',
    },
  ] satisfies { name: string; messages: ChatMessage[]; stage: string }[])('$name', ({ messages, stage }) => {
    expect(readSituation(messages).stage).toBe(stage);
  });

  it('keeps the task of the code already written even when the prose names other tasks', () => {
    const messages = afterTurnOfA('Sort a list of dictionaries by a key', FAILED);
    expect(messages[1]?.content).toMatch(/Fibonacci/);
    expect(readSituation(messages).topic).toBe(FALLBACK_TOPIC);
  });

  it('covers every keyword task with a prompt above', () => {
    expect(new Set(PROMPTS.map((p) => p.topic))).toEqual(new Set([...DEMO_TOPICS.map((t) => t.id), FALLBACK_TOPIC.id]));
  });
});

describe('demoScript', () => {
  function stepsFor(model: DemoModel, prompt: string, pacing: Parameters<typeof demoScript>[0]): ScriptStep[] {
    const script = demoScript(pacing);
    const steps = script({ model, messages: ask(prompt), stream: true }, { requestIndex: 0, signal: new AbortController().signal });
    if (!(Symbol.iterator in steps)) throw new Error('the demo script is synchronous');
    return [...steps];
  }

  function textOf(steps: ScriptStep[], type: 'content' | 'reasoning'): string {
    return steps.map((s) => (s.type === type ? s.text : '')).join('');
  }

  it.each(['demo-a', 'demo-b'] as const)('streams exactly the %s answer in chunks and finishes', (model) => {
    const steps = stepsFor(model, 'fizzbuzz', { chunkDelayMs: 0 });
    const answer = demoAnswer(model, ask('fizzbuzz'));
    expect(textOf(steps, 'content')).toBe(answer.content);
    expect(textOf(steps, 'reasoning')).toBe(answer.reasoning);
    expect(steps.filter((s) => s.type === 'content').length).toBeGreaterThan(50);
    expect(steps.some((s) => s.type === 'delay')).toBe(false);
    expect(steps.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it.each(PROMPTS.map((p) => p.prompt))('paces "%s" over a few seconds by default', (prompt) => {
    const steps = stepsFor('demo-a', prompt, {});
    const delays = steps.flatMap((s) => (s.type === 'delay' ? [s.ms] : []));
    const total = delays.reduce((a, b) => a + b, 0);
    expect(Math.min(...delays.slice(1))).toBeGreaterThanOrEqual(20);
    expect(Math.max(...delays.slice(1))).toBeLessThanOrEqual(60);
    expect(total).toBeGreaterThan(1_500);
    expect(total).toBeLessThan(10_000);
  });
});
