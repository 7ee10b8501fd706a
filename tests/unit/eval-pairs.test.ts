import { describe, expect, it } from 'vitest';
import { contestantId, notebookFile, PairSpecError, parsePair, safeName } from '@duet/server';

describe('--pair', () => {
  it.each([
    { text: 'qwen2.5-coder-7b,llama-3.1-8b', A: { id: 'qwen2.5-coder-7b' }, B: { id: 'llama-3.1-8b' } },
    { text: 'qwen,qwen', A: { id: 'qwen' }, B: { id: 'qwen' } },
    { text: ' a , b ', A: { id: 'a' }, B: { id: 'b' }, normal: 'a,b' },
    { text: 'http://gpu:8000/v1#Qwen/Qwen2.5-7B,demo#demo-b', A: { id: 'Qwen/Qwen2.5-7B', baseUrl: 'http://gpu:8000/v1' }, B: { id: 'demo-b', baseUrl: 'demo' } },
    { text: 'llama3.2:latest,http://localhost:11434/v1#llama3.2', A: { id: 'llama3.2:latest' }, B: { id: 'llama3.2', baseUrl: 'http://localhost:11434/v1' } },
  ])('reads $text', ({ text, A, B, normal }) => {
    expect(parsePair(text)).toEqual({ text: normal ?? text, A, B });
  });

  it.each(['one', 'a,b,c', 'a,', ',b', 'http://x/v1#,b', '#a,b'])('refuses %j with an example of the form', (text) => {
    expect(() => parsePair(text)).toThrow(PairSpecError);
    expect(() => parsePair(text)).toThrow(/like|URL#model/);
  });

  it('names a pair in another mode with the mode, and relay without', () => {
    expect(contestantId('a,b', 'relay')).toBe('a,b');
    expect(contestantId('a,b', 'coder-tester')).toBe('a,b@coder-tester');
  });
});

describe('file names from ids', () => {
  it('keep plain ids as they are', () => {
    expect(safeName('demo-a,demo-b@coder-tester')).toBe('demo-a,demo-b@coder-tester');
    expect(notebookFile('demo-a,demo-b', 'fizzbuzz')).toBe('notebooks/demo-a,demo-b/fizzbuzz.ipynb');
  });

  it('clean anything else, and keep two ids that clean alike apart', () => {
    const slash = safeName('HumanEval/0');
    expect(slash).toMatch(/^HumanEval-0-[0-9a-f]{8}$/);
    expect(safeName('HumanEval:0')).not.toBe(slash);
    expect(safeName('../../etc')).not.toMatch(/^\./);
    expect(safeName('../../etc')).not.toContain('/');
  });
});
