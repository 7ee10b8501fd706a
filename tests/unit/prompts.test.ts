import { describe, expect, it } from 'vitest';
import { buildMessages } from '@duet/server';
import type { ChatMessage, TurnRecord } from '@duet/server';
import type { ModelSlot } from '@duet/server/protocol';

const PROMPT = 'Write fib(n).';

/** Turns A, B, A, … each with text and feedback that say whose they are. */
function turns(count: number): TurnRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const slot: ModelSlot = i % 2 === 0 ? 'A' : 'B';
    return { slot, text: `answer ${i + 1} by ${slot}`, feedback: `results of turn ${i + 1}` };
  });
}

/** The model whose turn comes after `count` turns. */
function next(count: number): ModelSlot {
  return count % 2 === 0 ? 'A' : 'B';
}

function sameRoleInARow(messages: readonly ChatMessage[]): number {
  return messages.findIndex((m, i) => i > 0 && messages[i - 1]?.role === m.role);
}

describe('buildMessages', () => {
  const counts = [0, 1, 2, 3, 4, 5, 8];

  it.each(counts)('never puts two messages of one role in a row (after %i turns)', (count) => {
    const messages = buildMessages(next(count), PROMPT, 2, turns(count));
    expect(sameRoleInARow(messages)).toBe(-1);
  });

  it.each(counts)('starts with the system prompt and the request, and ends with a user message (after %i turns)', (count) => {
    const messages = buildMessages(next(count), PROMPT, 2, turns(count));
    expect(messages[0]?.role).toBe('system');
    expect(messages[1]).toMatchObject({ role: 'user' });
    expect(messages[1]?.content).toContain(PROMPT);
    expect(messages.at(-1)?.role).toBe('user');
  });

  it.each(counts)("gives a model its own turns as assistant and the other's as user text naming the author (after %i turns)", (count) => {
    const slot = next(count);
    const messages = buildMessages(slot, PROMPT, 2, turns(count));
    for (const t of turns(count)) {
      const holder = messages.find((m) => m.content.includes(t.text));
      if (t.slot === slot) {
        expect(holder).toEqual({ role: 'assistant', content: t.text });
      } else {
        expect(holder?.role).toBe('user');
        expect(holder?.content).toContain(`Model ${t.slot} wrote:\n\n${t.text}`);
      }
    }
  });

  it.each(counts)('includes every execution report as user text (after %i turns)', (count) => {
    const messages = buildMessages(next(count), PROMPT, 2, turns(count));
    for (const t of turns(count)) {
      expect(messages.find((m) => m.content.includes(t.feedback))?.role).toBe('user');
    }
  });

  it('keeps the conversation in order', () => {
    const messages = buildMessages('B', PROMPT, 2, turns(3));
    const all = messages.map((m) => m.content).join('\n');
    const at = (s: string): number => all.indexOf(s);
    expect(at(PROMPT)).toBeLessThan(at('answer 1 by A'));
    expect(at('answer 1 by A')).toBeLessThan(at('results of turn 1'));
    expect(at('results of turn 1')).toBeLessThan(at('answer 2 by B'));
    expect(at('answer 2 by B')).toBeLessThan(at('results of turn 2'));
    expect(at('results of turn 2')).toBeLessThan(at('answer 3 by A'));
    expect(at('answer 3 by A')).toBeLessThan(at('results of turn 3'));
  });

  it.each(['A', 'B'] as const)('tells model %s who it is and how many tests end the task', (slot) => {
    const system = buildMessages(slot, PROMPT, 3, [])[0]?.content ?? '';
    expect(system).toContain(`You are model ${slot}`);
    expect(system).toContain('3 test cells pass');
    expect(system).toMatch(/RUN-CODE/);
    expect(system).toMatch(/TEST-ASSERT/);
  });
});
