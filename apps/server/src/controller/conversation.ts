/**
 * The notebook as the models' conversation. A follow-up request, Continue and
 * Retry all start from the notebook as it is now, not from what was streamed:
 * each cell's current source (the user's edits included, and said to be the
 * user's), its latest outputs and test status, in notebook order. Consecutive
 * cells of one model's turn become one record; the user's own cells and earlier
 * requests become records of the user's.
 */
import type { NotebookCell, TestStatus } from '../protocol/notebook.ts';
import { outputsText } from './feedback.ts';
import type { TurnRecord } from './prompts.ts';
import { relayedAnswer, type RelayedCell } from './relay.ts';
import { SUMMARY_LINE_MAX } from './turn-summary.ts';

/** Records for `cells` (a slice of the notebook), in order. Reasoning, feedback and discarded turns are left out. */
export function notebookRecords(cells: readonly NotebookCell[]): TurnRecord[] {
  const records: TurnRecord[] = [];
  let group: NotebookCell[] = [];
  const flush = (): void => {
    if (group.length > 0) records.push(recordOf(group));
    group = [];
  };
  for (const cell of cells) {
    const { role, discarded } = cell.duet;
    if (discarded || role === 'reasoning' || role === 'feedback') continue;
    if (role === 'prompt') {
      flush();
      records.push(requestRecord(cell.source));
      continue;
    }
    const first = group[0];
    if (first !== undefined && !sameAuthorTurn(first, cell)) flush();
    group.push(cell);
  }
  flush();
  return records;
}

function sameAuthorTurn(a: NotebookCell, b: NotebookCell): boolean {
  return a.duet.model === b.duet.model && a.duet.turn === b.duet.turn && a.duet.run === b.duet.run;
}

function requestRecord(source: string): TurnRecord {
  const line = oneLine(source);
  return { slot: 'A', byUser: true, request: true, text: `The user's earlier request: ${source}`, feedback: '', summary: `The user asked: ${line}` };
}

function recordOf(cells: readonly NotebookCell[]): TurnRecord {
  const first = cells[0] as NotebookCell;
  const model = first.duet.model;
  // A block that could never run is relayed as shown text, not as a marked block.
  const relayed: RelayedCell[] = cells.map((c) =>
    c.duet.unrunnable ? { kind: 'prose', lang: null, source: `\`\`\`\n${c.source}\n\`\`\`` } : { kind: c.duet.role === 'prompt' ? 'prose' : (c.duet.role as RelayedCell['kind']), lang: null, source: c.source },
  );
  const edited = cells.some((c) => c.duet.edited === true);
  const body = relayedAnswer(relayed);
  const results = resultsText(cells);
  const summary = summaryOf(cells, model === null ? 'the user' : `model ${model}`);
  if (model === null) {
    return { slot: 'A', byUser: true, text: `The user wrote these cells in the notebook:\n\n${body}`, feedback: results, summary };
  }
  const note = edited ? '\n\n(The user has since edited some of these cells; this is how they read now.)' : '';
  return { slot: model, text: `${body}${note}`, feedback: results, summary };
}

const STATUS_WORDS: Record<TestStatus, string> = {
  passed: 'passed',
  failed: 'FAILED',
  error: 'raised an error',
  blocked: 'was blocked by the sandbox',
  'not-run': 'has not run (or has no assert)',
  stale: 'is stale: code above it changed since it ran',
};

/** The latest results of the code and test cells among `cells`, cut to a few lines each. */
function resultsText(cells: readonly NotebookCell[]): string {
  const lines: string[] = [];
  let n = 0;
  for (const c of cells) {
    if (c.cellType !== 'code' || (c.duet.role !== 'code' && c.duet.role !== 'test')) continue;
    n += 1;
    const what = c.duet.role === 'test' ? `test cell ${n} ${STATUS_WORDS[c.duet.test?.status ?? 'not-run']}` : c.executionCount === null ? `code cell ${n} has not run` : `code cell ${n} ran`;
    const out = outputsText(c.outputs).trim();
    lines.push(`[${what}]${out === '' ? '' : `\n${tail(out, 600)}`}`);
  }
  return lines.length === 0 ? '' : `Latest results of those cells:\n${lines.join('\n')}`;
}

function summaryOf(cells: readonly NotebookCell[], who: string): string {
  const first = cells[0] as NotebookCell;
  const code = cells.filter((c) => c.duet.role === 'code').length;
  const tests = cells.filter((c) => c.duet.role === 'test');
  const passed = tests.filter((c) => c.duet.test?.status === 'passed').length;
  const parts = [`${code} code cell${code === 1 ? '' : 's'}`];
  if (tests.length > 0) parts.push(`${tests.length} test${tests.length === 1 ? '' : 's'}, ${passed} passing now`);
  const head = first.duet.turn > 0 ? `Turn ${first.duet.turn}, ${who}` : `Cells by ${who}`;
  const line = `${head}: ${parts.join(', ')}${cells.some((c) => c.duet.edited) ? ' (edited by the user)' : ''}.`;
  return line.length <= SUMMARY_LINE_MAX ? line : `${line.slice(0, SUMMARY_LINE_MAX - 1)}…`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= 160 ? flat : `${flat.slice(0, 159)}…`;
}

function tail(text: string, chars: number): string {
  return text.length <= chars ? text : `…${text.slice(text.length - chars)}`;
}
