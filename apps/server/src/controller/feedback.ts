/**
 * What the next model is told about the cells that ran: each cell's status and
 * its output cut to a budget (head and tail, with a note of what was cut), so a
 * flood of output never reaches a model.
 */
import type { NbOutput } from '@duet/kernel';
import type { ModelSlot } from '../protocol/notebook.ts';
import type { CellOutcome } from './types.ts';

export const CELL_TEXT_BUDGET = 1500;
export const FEEDBACK_BUDGET = 6000;

// eslint-style regex for CSI/OSC escape sequences.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*(?:\u0007|\u001b\\)/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Outputs as plain text: streams, text/plain results, and the error's last lines. */
export function outputsText(outputs: readonly NbOutput[]): string {
  const parts: string[] = [];
  for (const o of outputs) {
    switch (o.output_type) {
      case 'stream':
        parts.push(o.text);
        break;
      case 'execute_result':
      case 'display_data': {
        const plain = o.data['text/plain'];
        if (typeof plain === 'string') parts.push(`${plain}\n`);
        else if (o.data['image/png'] !== undefined) parts.push('[image]\n');
        break;
      }
      case 'error':
        parts.push(`${stripAnsi(o.traceback.slice(-3).join('\n'))}\n`);
        break;
    }
  }
  return stripAnsi(parts.join(''));
}

/**
 * Keeps the head and tail of `text` within `budget` characters and says how much
 * was cut. The result is never longer than `budget`.
 */
export function cutToBudget(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const limit = Math.max(0, Math.floor(budget));
  const noteFor = (cut: number): string => `\n[… ${cut} characters cut …]\n`;
  // The note's length depends on the count it reports; size it for the largest count.
  const room = limit - noteFor(text.length).length;
  if (room < 2) return text.slice(0, limit);
  const head = Math.ceil(room / 2);
  const tail = room - head;
  return `${text.slice(0, head)}${noteFor(text.length - head - tail)}${text.slice(text.length - tail)}`;
}

const STATUS_WORDS: Record<CellOutcome['status'], string> = {
  ok: 'ran',
  error: 'raised an error',
  timeout: 'was stopped: it ran past the time limit',
  died: 'crashed the kernel (it was restarted, so earlier variables are gone)',
  'not-run': 'was not run',
};

/**
 * The execution report for one turn, as user text for the next model. However
 * many cells ran and however much they printed, it stays within {@link FEEDBACK_BUDGET}.
 */
export function feedbackText(slot: ModelSlot, outcomes: readonly CellOutcome[], skipped: readonly string[] = []): string {
  if (outcomes.length === 0 && skipped.length === 0) {
    return `Model ${slot}'s answer had no RUN-CODE or TEST-ASSERT block, so nothing was run.`;
  }
  const heads = outcomes.map((o, i) => {
    const test = o.kind === 'test' && o.testStatus ? ` — test ${o.testStatus.toUpperCase()}` : '';
    return `\n[${o.kind} cell ${i + 1}] ${STATUS_WORDS[o.status]}${test}`;
  });
  const title = `Execution results for model ${slot}'s cells:`;
  const notes = skipped.map((note) => `\n${note}`);
  const fixed = [title, ...heads, ...notes].reduce((n, line) => n + line.length + 1, 0);
  // What is left after the status lines is shared evenly between the cells' outputs.
  const per = Math.min(CELL_TEXT_BUDGET, Math.floor(Math.max(0, FEEDBACK_BUDGET - fixed) / Math.max(1, outcomes.length)) - 1);
  const lines = [title];
  outcomes.forEach((o, i) => {
    lines.push(heads[i] as string);
    const text = o.text.trim();
    if (text && per > 0) lines.push(cutToBudget(text, per));
  });
  lines.push(...notes);
  return cutToBudget(lines.join('\n'), FEEDBACK_BUDGET);
}
