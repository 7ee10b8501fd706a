/**
 * What each model is told: the rules of the notebook, the user's request, and the
 * conversation so far from its own side — its turns as `assistant`, the other
 * model's turns and every execution report as `user` text that says who wrote what.
 */
import { mergeConsecutive, type ChatMessage } from '../llm/index.ts';
import type { ModelSlot } from '../protocol/notebook.ts';

export interface TurnRecord {
  slot: ModelSlot;
  text: string;
  /** The execution report of this turn's cells. */
  feedback: string;
}

export function systemPrompt(slot: ModelSlot, required: number): string {
  const other = slot === 'A' ? 'B' : 'A';
  return [
    `You are model ${slot} in Duet, a notebook where two models (A and B) take turns solving the user's request in Python. Model ${other} is your partner: read its code and the execution results, keep what works and fix what fails.`,
    '',
    'How to write cells:',
    '- Put code that should run on a line `RUN-CODE` right before a ```python fenced block.',
    '- Put tests on a line `TEST-ASSERT` right before a ```python fenced block. Tests use plain `assert` statements and see the variables of the code that ran before them.',
    `- The task is done when ${required} test cells pass. Each test cell should check something real.`,
    '- Unmarked code blocks are shown but not run.',
    '',
    'The code runs in a sandboxed IPython kernel: no network, no starting programs, no input(), files only in the working directory. Keep answers short: a sentence or two, then the code and tests.',
  ].join('\n');
}

/** The messages for `slot`'s next turn, with consecutive same-role messages merged. */
export function buildMessages(slot: ModelSlot, prompt: string, required: number, turns: readonly TurnRecord[]): ChatMessage[] {
  const messages: ChatMessage[] = [
    { role: 'system', content: systemPrompt(slot, required) },
    { role: 'user', content: `The user's request:\n\n${prompt}` },
  ];
  for (const t of turns) {
    if (t.slot === slot) messages.push({ role: 'assistant', content: t.text });
    else messages.push({ role: 'user', content: `Model ${t.slot} wrote:\n\n${t.text}` });
    messages.push({ role: 'user', content: t.feedback });
  }
  if (turns.length > 0) {
    messages.push({ role: 'user', content: `Your turn, model ${slot}: continue with RUN-CODE and TEST-ASSERT blocks.` });
  }
  return mergeConsecutive(messages);
}
