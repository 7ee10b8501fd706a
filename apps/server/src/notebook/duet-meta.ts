/**
 * Reading Duet's own notebook metadata back from a file: the list of runs, the
 * notebook's run settings and where its conversation starts. A file may come
 * from anywhere (an older Duet, a hand edit, another tool), so every field is
 * checked and anything odd is left out rather than trusted.
 */
import type { DuetNotebookMeta, HaltReason, ModelRef, ModelSlot, NotebookSettings, RunMode, RunRecord, TurnStats } from '../protocol/notebook.ts';

type Json = Record<string, unknown>;

const HALTS: readonly HaltReason[] = ['tests-passed', 'stopped', 'max-turns', 'no-progress', 'error'];
const MODES: readonly RunMode[] = ['relay', 'coder-tester'];
const TEXT_MAX = 20_000;

/** The metadata of a notebook no run has touched. */
export function emptyNotebookMeta(): DuetNotebookMeta {
  return { models: null, required: 2, passes: 0, halted: null, runs: [], contextFrom: null, settings: {} };
}

/** `metadata.duet` of a notebook file, every field checked. */
export function readNotebookMeta(v: unknown): DuetNotebookMeta {
  const meta = emptyNotebookMeta();
  if (!isObj(v)) return meta;
  if (isCount(v.required)) meta.required = v.required;
  if (isCount(v.passes, 0)) meta.passes = v.passes;
  if (HALTS.includes(v.halted as HaltReason)) meta.halted = v.halted as HaltReason;
  if (isObj(v.models) && isModel(v.models.A) && isModel(v.models.B)) meta.models = { A: modelRef(v.models.A), B: modelRef(v.models.B) };
  // Cells name their run by its place in this list, so a record that cannot be read keeps its place.
  if (Array.isArray(v.runs)) meta.runs = v.runs.map((r) => runRecord(r) ?? UNREADABLE_RUN);
  if (typeof v.contextFrom === 'string' && v.contextFrom.length <= 64) meta.contextFrom = v.contextFrom;
  if (isObj(v.settings)) meta.settings = readSettings(v.settings);
  return meta;
}

/** Run settings from a file or a browser, every field checked. */
export function readSettings(v: Json): NotebookSettings {
  const s: NotebookSettings = {};
  if (isText(v.modelA, 200)) s.modelA = v.modelA;
  if (isText(v.modelB, 200)) s.modelB = v.modelB;
  if (isCount(v.passes) && v.passes <= 100) s.passes = v.passes;
  if (isCount(v.maxTurns) && v.maxTurns <= 100) s.maxTurns = v.maxTurns;
  if (MODES.includes(v.mode as RunMode)) s.mode = v.mode as RunMode;
  if (isSlot(v.first)) s.first = v.first;
  if (typeof v.instructionsA === 'string' && v.instructionsA.length <= TEXT_MAX) s.instructionsA = v.instructionsA;
  if (typeof v.instructionsB === 'string' && v.instructionsB.length <= TEXT_MAX) s.instructionsB = v.instructionsB;
  return s;
}

/** What stands in for a run record that cannot be read. */
const UNREADABLE_RUN: RunRecord = {
  request: '',
  kind: 'new',
  models: { A: { id: 'unknown', baseUrl: '' }, B: { id: 'unknown', baseUrl: '' } },
  required: 2,
  passes: 0,
  halted: null,
  mode: 'relay',
  first: 'A',
  startedAt: '',
  turns: [],
};

function runRecord(v: unknown): RunRecord | undefined {
  if (!isObj(v) || !isObj(v.models) || !isModel(v.models.A) || !isModel(v.models.B)) return undefined;
  const kind = v.kind === 'continue' || v.kind === 'retry' ? v.kind : 'new';
  return {
      request: typeof v.request === 'string' ? v.request.slice(0, 100_000) : '',
      kind,
      models: { A: modelRef(v.models.A), B: modelRef(v.models.B) },
      required: isCount(v.required) ? v.required : 2,
      passes: isCount(v.passes, 0) ? v.passes : 0,
      halted: HALTS.includes(v.halted as HaltReason) ? (v.halted as HaltReason) : null,
      mode: MODES.includes(v.mode as RunMode) ? (v.mode as RunMode) : 'relay',
      first: isSlot(v.first) ? v.first : 'A',
      startedAt: typeof v.startedAt === 'string' ? v.startedAt.slice(0, 40) : '',
      turns: Array.isArray(v.turns) ? v.turns.flatMap((t) => turnStats(t)).slice(0, 1000) : [],
  };
}

function turnStats(v: unknown): TurnStats[] {
  if (!isObj(v) || !isCount(v.turn) || !isSlot(v.model)) return [];
  const n = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : 0);
  return [{ turn: v.turn, model: v.model, ms: n(v.ms), promptTokens: n(v.promptTokens), completionTokens: n(v.completionTokens) }];
}

function modelRef(v: { id: string; baseUrl: string }): ModelRef {
  return { id: v.id, baseUrl: v.baseUrl };
}

function isModel(v: unknown): v is { id: string; baseUrl: string } {
  return isObj(v) && typeof v.id === 'string' && typeof v.baseUrl === 'string';
}

function isSlot(v: unknown): v is ModelSlot {
  return v === 'A' || v === 'B';
}

function isCount(v: unknown, min = 1): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min;
}

function isText(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max;
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
