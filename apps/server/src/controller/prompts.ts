/**
 * What each model is told: the rules of the notebook (with a worked example small
 * models can copy), what the kernel has installed, the user's own instructions,
 * the request, and the words of the turns that follow it.
 */
import type { ModelSlot } from '../protocol/notebook.ts';

export interface TurnRecord {
  slot: ModelSlot;
  /** The answer as relayed: prose and marked blocks, never reasoning. */
  text: string;
  /** The execution report of this turn's cells (or the correction a slip earned). */
  feedback: string;
  /** One line on what the turn ran and how it went, used when the turn is folded to save context. */
  summary?: string;
  /** The user's own words or cells (an earlier request, cells the user wrote), not a model's turn. */
  byUser?: boolean;
  /** An earlier request of the user's. */
  request?: boolean;
}

/** What the system prompt says beyond the fixed rules. */
export interface SystemPromptContext {
  slot: ModelSlot;
  required: number;
  /** One sentence on the kernel's Python and packages (see `inventoryLine`). */
  inventory?: string;
  /** The user's own instructions for this model. */
  instructions?: string;
  /** In coder-tester mode: the model's part. */
  part?: 'coder' | 'tester';
}

/** The format in one line; the first user message and every correction repeat it. */
export const FORMAT_RULE = 'Format: put the line RUN-CODE right before each ```python block that should run, and the line TEST-ASSERT right before each ```python block of plain assert tests.';

/** The two halves of the worked example every prompt shows, so small models can copy the form. */
const CODE_EXAMPLE = ['RUN-CODE', '```python', 'def add(a, b):', '    return a + b', '```'];
const TEST_EXAMPLE = ['TEST-ASSERT', '```python', 'assert add(2, 3) == 5', 'assert add(-1, 1) == 0', '```'];

const EXAMPLE = ['Example of a good answer:', '', 'A function that adds two numbers.', '', ...CODE_EXAMPLE, '', ...TEST_EXAMPLE].join('\n');

export function systemPrompt(ctx: SystemPromptContext): string {
  if (ctx.part !== undefined) return partPrompt(ctx, ctx.part);
  const { slot, required } = ctx;
  const other = slot === 'A' ? 'B' : 'A';
  const lines = [
    `You are model ${slot} in Duet, a notebook where two models (A and B) take turns solving the user's request in Python. Model ${other} is your partner: read its code and the execution results, keep what works and fix what fails.`,
    '',
    'How to write cells:',
    '- Put the line RUN-CODE right before a ```python block to run it.',
    '- Put the line TEST-ASSERT right before a ```python block of tests. Tests are plain `assert` statements and see the variables of the code that ran before them.',
    `- The task is done when ${required} test cells pass. Each test cell should check something real.`,
    '- Unmarked code blocks are shown but not run.',
    '- Use plain assert: no unittest, no pytest, no `if __name__ == "__main__":`, no pip installs, no input().',
    '',
    EXAMPLE,
    '',
    `The code runs in a sandboxed IPython kernel: no network, no starting programs, no input(), files only in the working directory.${ctx.inventory ? ` ${ctx.inventory}` : ''} Keep answers short: a sentence or two, then the code and tests.`,
  ];
  const own = ctx.instructions?.trim();
  if (own) lines.push('', "The user's own instructions for you:", own);
  return lines.join('\n');
}

/** The first user message: the request, then the format rule again. */
export function requestMessage(request: string): string {
  return `The user's request:\n\n${request}\n\n${FORMAT_RULE}`;
}

/**
 * The last user message of every later turn. It repeats the request, so a server
 * that drops messages from the front (Ollama past its context) still has it.
 */
export function turnNudge(slot: ModelSlot, request: string): string {
  return `Your turn, model ${slot}: continue with RUN-CODE and TEST-ASSERT blocks.\n\nThe user's request, again: ${request}`;
}

/** Why a turn earned a correction. */
export type SlipKind = 'unmarked' | 'tool-calls';

/** What a model is told after a turn with code but nothing Duet could run. */
export function correctionText(slot: ModelSlot, slip: SlipKind, blocks: number): string {
  const what =
    slip === 'unmarked'
      ? `Model ${slot}, your answer had ${blocks === 1 ? 'a Python block' : `${blocks} Python blocks`} but no RUN-CODE or TEST-ASSERT line, so nothing ran.`
      : `Model ${slot}, your answer called a tool, but Duet has no tools: it runs only marked Python blocks written in the answer, so nothing ran.`;
  return [
    what,
    'Write the answer again. Put the line RUN-CODE right before each block that should run and TEST-ASSERT right before each block of asserts, like this:',
    '',
    'RUN-CODE',
    '```python',
    'def add(a, b): return a + b',
    '```',
    'TEST-ASSERT',
    '```python',
    'assert add(2, 3) == 5',
    '```',
  ].join('\n');
}

/** The system prompt of coder-tester mode: one model writes only code, the other only tests, from the request alone. */
function partPrompt(ctx: SystemPromptContext, part: 'coder' | 'tester'): string {
  const env = `The code runs in a sandboxed IPython kernel: no network, no starting programs, no input(), files only in the working directory.${ctx.inventory ? ` ${ctx.inventory}` : ''}`;
  const lines =
    part === 'tester'
      ? [
          `You are model ${ctx.slot} in Duet, the tester. Another model writes the code; you never see it. From the user's request alone, write tests that a correct solution passes and a wrong one fails: ordinary cases and edge cases.`,
          '',
          '- Write only TEST-ASSERT blocks: the line TEST-ASSERT right before a ```python block of plain assert statements.',
          '- Call the functions and arguments exactly as the request names them. Do not write the implementation.',
          `- Write at least ${ctx.required} test blocks. Plain assert only: no unittest, no pytest, no pip, no input().`,
          '',
          ...TEST_EXAMPLE,
          '',
          env,
        ]
      : [
          `You are model ${ctx.slot} in Duet, the coder. Another model has written tests from the user's request alone; they run against your code after each of your answers, and you get back every failing test with its source.`,
          '',
          '- Write the code in RUN-CODE blocks: the line RUN-CODE right before a ```python block.',
          '- Name functions and arguments exactly as the request says. No tests needed; no unittest, pytest, pip or input().',
          '',
          ...CODE_EXAMPLE,
          '',
          env,
        ];
  const own = ctx.instructions?.trim();
  if (own) lines.push('', "The user's own instructions for you:", own);
  return lines.join('\n');
}
