/**
 * What the next model is told about the cells that ran: each cell's status and
 * what it means, its output cut to a budget (head and tail, with a note of what
 * was cut) so a flood of output never reaches a model, tracebacks without the
 * frames of Duet's own kernel code, and the exception's message uncut.
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

/** Outputs as plain text: streams, text/plain results, and the error's traceback as {@link tracebackText} relays it. */
export function outputsText(outputs: readonly NbOutput[]): string {
  const parts: string[] = [];
  for (const o of outputs) {
    switch (o.output_type) {
      case 'stream':
        parts.push(o.text.replace(IPYTHON_EXIT_WARNING, ''));
        break;
      case 'execute_result':
      case 'display_data': {
        const plain = o.data['text/plain'];
        if (typeof plain === 'string') parts.push(`${plain}\n`);
        else if (o.data['image/png'] !== undefined) parts.push('[image]\n');
        break;
      }
      case 'error':
        parts.push(`${tracebackText(o.traceback)}\n`);
        break;
    }
  }
  return stripAnsi(parts.join(''));
}

/**
 * IPython's answer to a SystemExit, printed to stderr: it points at IPython's own
 * source and suggests `exit`, which is no advice for notebook code.
 */
const IPYTHON_EXIT_WARNING = /^.*\/IPython\/core\/interactiveshell\.py:\d+: UserWarning: To exit: use 'exit', 'quit', or Ctrl-D\.\n(?:[ \t]+warn\(.*\)\n?)?/gm;

/** Frames from a run of frames that are kept at most; the rest is said to be left out. */
const MAX_FRAMES = 6;
/** Library frames kept at the end of a run: where the error was raised, whatever code that is. */
const LIBRARY_TAIL = 2;

/** Whose code a frame is in: Duet's kernel, IPython and the import machinery; the model's; a library's. */
type FrameKind = 'internal' | 'user' | 'library';

/**
 * A traceback as the next model should see it, without colour codes: the frames of
 * the model's own code, the last library frames before the error, and the exception
 * line. Frames of Duet's kernel modules (`duet_*.py`, the guard among them) and of
 * IPython and ipykernel are cut: they are how the sandbox and the notebook work, not
 * what the code did, and they would crowd out the frames that matter.
 */
export function tracebackText(traceback: readonly string[]): string {
  const lines: string[] = [];
  let run: { kind: FrameKind; text: string }[] = [];
  // Said only above frames that are kept: a refusal raised inside the guard has none left.
  let header = false;
  const flush = (): void => {
    const frames = keptFrames(run);
    if (header && frames.length > 0) lines.push('Traceback (most recent call last):');
    lines.push(...frames);
    run = [];
    header = false;
  };
  for (const entry of traceback) {
    const text = stripAnsi(entry).replace(/\n+$/, '');
    const kind = frameKind(text);
    if (kind) {
      run.push({ kind, text });
      continue;
    }
    flush();
    if (/^\S+\s+Traceback \(most recent call last\)$/.test(text)) header = true;
    else if (!/^-+$/.test(text) && !/^An exception has occurred, use %tb to see the full traceback\.$/.test(text)) lines.push(text);
  }
  flush();
  return lines.join('\n');
}

/** Which code a traceback entry is a frame of, or null when it is no frame (a header, the exception line). */
function frameKind(entry: string): FrameKind | null {
  const first = (entry.split('\n', 1)[0] as string).trim();
  // IPython's own note inside a run of frames (recursion); it belongs with the model's frames.
  if (/^\[\.\.\. skipping /.test(first)) return 'user';
  if (/^(?:Cell|Input) In ?\[\d*\]/.test(first) || first.startsWith('<ipython-input-')) return 'user';
  // IPython 8: "File /path/mod.py:12, in f(x)"; IPython 7: "/path/mod.py in f(x)".
  const file = /^File (.+?):\d+(?:, in |$)/.exec(first)?.[1] ?? /^(\S+\.py) in \S/.exec(first)?.[1];
  if (file === undefined) return null;
  if (/(?:^|\/)duet_\w*\.py$/.test(file) || /\/(?:IPython|ipykernel)\//.test(file) || file.startsWith('<frozen importlib')) return 'internal';
  if (/\/(?:site|dist)-packages\/|\/lib\/python\d|^<frozen /.test(file)) return 'library';
  return 'user';
}

/** The frames of one run that are relayed, with a note of how many were left out. */
function keptFrames(run: readonly { kind: FrameKind; text: string }[]): string[] {
  const frames = run.filter((f) => f.kind !== 'internal');
  const tailFrom = frames.length - LIBRARY_TAIL;
  const kept = frames.filter((f, i) => f.kind === 'user' || i >= tailFrom).map((f) => f.text);
  const library = frames.length - kept.length;
  const out = kept.length > MAX_FRAMES ? [kept[0] as string, ...kept.slice(kept.length - (MAX_FRAMES - 1))] : kept;
  const left = frames.length - out.length;
  if (left === 0) return out;
  const note = `[… ${left} frame${left === 1 ? '' : 's'}${library === left ? ' inside libraries' : ''} left out …]`;
  return [out[0] as string, note, ...out.slice(1)];
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

/** What a test's status means for the model, beyond the word itself. */
function testVerdict(o: CellOutcome): string {
  if (o.kind !== 'test' || !o.testStatus) return '';
  if (o.testStatus === 'not-run') {
    // The same status covers a test that proved nothing and one that never ran; the model must fix only the first.
    if (o.status === 'ok') return ' — test NOT COUNTED: it ran, but has no assert statement, so it proves nothing — use plain `assert` statements (print() is not a test)';
    if (o.status === 'not-run') return ' — test NOT RUN: it was dropped from the queue when the run halted or was stopped';
    return ' — test NOT RUN: the kernel did not run it';
  }
  if (o.testStatus === 'blocked') return ' — test BLOCKED: the sandbox refused what it tried to do, so it never counts';
  return ` — test ${o.testStatus.toUpperCase()}`;
}

/** Advice for errors a small model makes out of habit from scripts and test suites. */
function hintFor(o: CellOutcome): string {
  if (o.error?.ename === 'SystemExit') {
    return 'Hint: SystemExit means the cell called sys.exit() or a test runner such as unittest.main(). Use plain assert statements; unittest/pytest runners are not used here.';
  }
  return '';
}

/** The exception's message is kept whole up to this many characters, whatever else is cut. */
const ERROR_TEXT_BUDGET = 1000;

/**
 * Splits a cell's text into what may be cut and the exception at its end, which is
 * kept: a refusal from the sandbox says what to do instead, and a cut there loses it.
 */
function splitError(text: string, error: CellOutcome['error']): { body: string; tail: string } {
  if (!error) return { body: text, tail: '' };
  const name = error.ename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let at = -1;
  for (const m of text.matchAll(new RegExp(`^${name}(?::|$)`, 'gm'))) at = m.index;
  if (at < 0) return { body: text, tail: '' };
  return { body: text.slice(0, at).trimEnd(), tail: cutToBudget(text.slice(at), ERROR_TEXT_BUDGET) };
}

/**
 * The execution report for one turn, as user text for the next model. However
 * many cells ran and however much they printed, it stays within {@link FEEDBACK_BUDGET}.
 */
export function feedbackText(slot: ModelSlot, outcomes: readonly CellOutcome[], skipped: readonly string[] = []): string {
  if (outcomes.length === 0 && skipped.length === 0) {
    return `Model ${slot}'s answer had no RUN-CODE or TEST-ASSERT block, so nothing was run.`;
  }
  const cells = outcomes.map((o, i) => ({
    head: `\n[${o.kind} cell ${i + 1}] ${STATUS_WORDS[o.status]}${testVerdict(o)}`,
    ...splitError(o.text.trim(), o.error),
    hint: hintFor(o),
  }));
  const title = `Execution results for model ${slot}'s cells:`;
  const notes = skipped.map((note) => `\n${note}`);
  const kept = cells.flatMap((c) => [c.head, c.tail, c.hint].filter(Boolean));
  const fixed = [title, ...kept, ...notes].reduce((n, line) => n + line.length + 1, 0);
  // What is left after the status lines, errors and hints is shared evenly between the cells' outputs.
  const share = Math.floor(Math.max(0, FEEDBACK_BUDGET - fixed) / Math.max(1, outcomes.length)) - 1;
  const lines = [title];
  for (const c of cells) {
    lines.push(c.head);
    const per = Math.min(CELL_TEXT_BUDGET - c.tail.length, share);
    if (c.body && per > 0) lines.push(cutToBudget(c.body, per));
    if (c.tail) lines.push(c.tail);
    if (c.hint) lines.push(c.hint);
  }
  lines.push(...notes);
  return cutToBudget(lines.join('\n'), FEEDBACK_BUDGET);
}
