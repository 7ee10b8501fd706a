/**
 * The document ⇄ nbformat 4.5 JSON. What is written validates against the
 * nbformat schema; what is read is checked field by field, and anything that is
 * not a notebook is refused with a {@link NotebookFormatError} that says why.
 */
import type { NbOutput } from '@duet/kernel';
import type { CellRole, DuetCellMeta, ModelSlot, NotebookCell, TestStatus } from '../protocol/notebook.ts';
import { NotebookDocument, newCellId } from './document.ts';
import { readNotebookMeta } from './duet-meta.ts';

export class NotebookFormatError extends Error {
  override readonly name = 'NotebookFormatError';
}

type Json = Record<string, unknown>;

/**
 * Beyond this many lines a text is written as one string, which nbformat allows as
 * well: a list item per line would make the file, and the work of writing it, many
 * times the text for output that is mostly line breaks.
 */
const MAX_LINE_LIST = 10_000;

/** nbformat stores multi-line strings as lists of lines; we write them that way too, up to {@link MAX_LINE_LIST} lines. */
function toLines(text: string): string[] | string {
  if (text === '') return [];
  let lines = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) {
    if (++lines > MAX_LINE_LIST) return text;
  }
  return text.split(/(?<=\n)/);
}

function fromLines(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((l) => typeof l === 'string')) return v.join('');
  throw new NotebookFormatError(`${what} is neither a string nor a list of strings`);
}

function outputToJson(o: NbOutput): Json {
  switch (o.output_type) {
    case 'stream':
      return { output_type: 'stream', name: o.name, text: toLines(o.text) };
    case 'display_data':
      return { output_type: 'display_data', data: bundleToJson(o.data), metadata: o.metadata };
    case 'execute_result':
      return { output_type: 'execute_result', execution_count: o.execution_count, data: bundleToJson(o.data), metadata: o.metadata };
    case 'error':
      return { output_type: 'error', ename: o.ename, evalue: o.evalue, traceback: o.traceback };
  }
}

/** Text MIME types are written as line lists, as Jupyter does; JSON types as they are. */
function bundleToJson(data: Record<string, unknown>): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(data)) out[k] = typeof v === 'string' && !k.endsWith('json') && k !== 'image/png' && k !== 'image/jpeg' ? toLines(v) : v;
  return out;
}

function bundleFromJson(data: unknown): Record<string, unknown> {
  if (!isObj(data)) throw new NotebookFormatError('output data is not an object');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) out[k] = Array.isArray(v) && v.every((l) => typeof l === 'string') ? v.join('') : v;
  return out;
}

function outputFromJson(v: unknown): NbOutput {
  if (!isObj(v)) throw new NotebookFormatError('an output is not an object');
  switch (v.output_type) {
    case 'stream':
      return { output_type: 'stream', name: v.name === 'stderr' ? 'stderr' : 'stdout', text: fromLines(v.text, 'stream text') };
    case 'display_data':
      return { output_type: 'display_data', data: bundleFromJson(v.data), metadata: isObj(v.metadata) ? v.metadata : {} };
    case 'execute_result':
      return {
        output_type: 'execute_result',
        execution_count: typeof v.execution_count === 'number' ? v.execution_count : null,
        data: bundleFromJson(v.data),
        metadata: isObj(v.metadata) ? v.metadata : {},
      };
    case 'error':
      return {
        output_type: 'error',
        ename: String(v.ename ?? ''),
        evalue: String(v.evalue ?? ''),
        traceback: Array.isArray(v.traceback) ? v.traceback.map(String) : [],
      };
    default:
      throw new NotebookFormatError(`unknown output_type ${JSON.stringify(v.output_type)}`);
  }
}

export function cellToJson(c: NotebookCell): Json {
  const metadata = { duet: c.duet };
  if (c.cellType === 'markdown') return { cell_type: 'markdown', id: c.id, metadata, source: toLines(c.source) };
  return {
    cell_type: 'code',
    id: c.id,
    metadata,
    source: toLines(c.source),
    execution_count: c.executionCount,
    outputs: c.outputs.map(outputToJson),
  };
}

/** The kernel and language every Duet notebook declares. */
export const KERNEL_METADATA = {
  kernelspec: { name: 'python3', display_name: 'Python 3 (Duet)', language: 'python' },
  language_info: { name: 'python', file_extension: '.py', mimetype: 'text/x-python' },
} as const;

/** The notebook as an nbformat 4.5 object. */
export function toIpynb(doc: NotebookDocument): Json {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { ...KERNEL_METADATA, duet: doc.meta },
    cells: doc.cells.map(cellToJson),
  };
}

export function serializeNotebook(doc: NotebookDocument): string {
  return `${JSON.stringify(toIpynb(doc), null, 1)}\n`;
}

const ROLES: readonly CellRole[] = ['prompt', 'prose', 'reasoning', 'code', 'test', 'feedback'];
const STATUSES: readonly TestStatus[] = ['passed', 'failed', 'error', 'blocked', 'not-run', 'stale'];
const ID_PATTERN = /^[a-zA-Z0-9-_]{1,64}$/;

function duetCellMeta(v: unknown, cellType: 'markdown' | 'code'): DuetCellMeta {
  const fallback: DuetCellMeta = { role: cellType === 'markdown' ? 'prose' : 'code', model: null, turn: 0 };
  if (!isObj(v)) return fallback;
  const role = ROLES.includes(v.role as CellRole) ? (v.role as CellRole) : fallback.role;
  const model: ModelSlot | null = v.model === 'A' || v.model === 'B' ? v.model : null;
  const meta: DuetCellMeta = { role, model, turn: typeof v.turn === 'number' ? v.turn : 0 };
  if (isObj(v.test) && STATUSES.includes(v.test.status as TestStatus)) meta.test = { status: v.test.status as TestStatus };
  if (typeof v.note === 'string') meta.note = v.note;
  // Files written before the field existed said it only in the note.
  if (v.unrunnable === true || (typeof v.note === 'string' && v.note.startsWith('Not run'))) meta.unrunnable = true;
  if (typeof v.run === 'number' && Number.isInteger(v.run) && v.run >= 0) meta.run = v.run;
  if (typeof v.modelId === 'string' && v.modelId.length <= 200) meta.modelId = v.modelId;
  if (v.to === 'A' || v.to === 'B') meta.to = v.to;
  if (v.discarded === true) meta.discarded = true;
  if (v.edited === true) meta.edited = true;
  return meta;
}

/** Reads an nbformat 4 notebook (any minor version); refuses anything else. */
export function fromIpynb(name: string, json: unknown): NotebookDocument {
  if (!isObj(json)) throw new NotebookFormatError('the file is not a JSON object');
  if (json.nbformat !== 4) throw new NotebookFormatError(`nbformat ${JSON.stringify(json.nbformat)} is not supported (Duet reads nbformat 4)`);
  if (!Array.isArray(json.cells)) throw new NotebookFormatError('the notebook has no cells list');
  const seen = new Set<string>();
  const cells: NotebookCell[] = json.cells.flatMap((c, i): NotebookCell[] => {
    if (!isObj(c)) throw new NotebookFormatError(`cell ${i} is not an object`);
    if (c.cell_type === 'raw') return [];
    if (c.cell_type !== 'markdown' && c.cell_type !== 'code') throw new NotebookFormatError(`cell ${i} has unknown cell_type ${JSON.stringify(c.cell_type)}`);
    let id = typeof c.id === 'string' && ID_PATTERN.test(c.id) ? c.id : newCellId();
    if (seen.has(id)) id = newCellId();
    seen.add(id);
    const metadata = isObj(c.metadata) ? c.metadata : {};
    return [
      {
        id,
        cellType: c.cell_type,
        source: fromLines(c.source ?? '', `cell ${i} source`),
        outputs: c.cell_type === 'code' && Array.isArray(c.outputs) ? c.outputs.map(outputFromJson) : [],
        executionCount: c.cell_type === 'code' && typeof c.execution_count === 'number' ? c.execution_count : null,
        duet: duetCellMeta(metadata.duet, c.cell_type),
      },
    ];
  });
  const metadata = isObj(json.metadata) ? json.metadata : {};
  const meta = readNotebookMeta(metadata.duet);
  // A notebook whose list of runs was lost (an import, another tool) keeps its cells, but not references to runs it has no record of.
  for (const c of cells) if (c.duet.run !== undefined && c.duet.run >= meta.runs.length) delete c.duet.run;
  return new NotebookDocument(name, cells, meta);
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
