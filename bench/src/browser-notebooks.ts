/**
 * Notebooks the browser benchmark imports through `PUT /api/notebooks/NAME`:
 * nbformat 4.5 with Duet's `metadata.duet`, shaped like a long session of the
 * two models (prose, code with small outputs, tests).
 */
import { KERNEL_METADATA } from '@duet/server';

type Json = Record<string, unknown>;
type Role = 'prose' | 'code' | 'test';

const lines = (text: string): string[] => text.split(/(?<=\n)/);

function cell(id: string, role: Role, turn: number, source: string, outputs: Json[] = []): Json {
  const duet: Json = { role, model: turn === 0 ? null : turn % 2 === 1 ? 'A' : 'B', turn };
  if (role === 'test') duet.test = { status: 'passed' };
  if (role === 'prose') return { cell_type: 'markdown', id, metadata: { duet }, source: lines(source) };
  return { cell_type: 'code', id, metadata: { duet }, source: lines(source), execution_count: outputs.length > 0 ? turn : null, outputs };
}

/** Cell `i` of a long session: markdown, code printing a line, code with a result, a test, in turn. */
function sessionCell(i: number): Json {
  const id = `cell-${String(i).padStart(4, '0')}`;
  const turn = Math.floor(i / 4) + 1;
  switch (i % 4) {
    case 0:
      return cell(id, 'prose', turn, `### Step ${turn}\n\nThe totals for batch ${turn}, with **${turn * 3} rows** and a check against \`n(n + 1) / 2\`.`);
    case 1:
      return cell(id, 'code', turn, `rows = [i * ${turn} for i in range(40)]\nprint(sum(rows))`, [{ output_type: 'stream', name: 'stdout', text: lines(`${780 * turn}\n`) }]);
    case 2:
      return cell(id, 'code', turn, `summary = {"total": sum(rows), "n": len(rows)}\nsummary`, [
        { output_type: 'execute_result', execution_count: turn, data: { 'text/plain': lines(`{'total': ${780 * turn}, 'n': 40}`) }, metadata: {} },
      ]);
    default:
      return cell(id, 'test', turn, `# TEST-ASSERT\nassert sum(rows) == ${turn} * 39 * 40 // 2`);
  }
}

function notebook(cells: Json[]): Json {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      ...KERNEL_METADATA,
      duet: { models: { A: { id: 'model-a', baseUrl: 'http://127.0.0.1:1234/v1' }, B: { id: 'model-b', baseUrl: 'http://127.0.0.1:1234/v1' } }, required: 2, passes: 0, halted: null },
    },
    cells,
  };
}

/** A notebook of `count` cells from a long session. */
export function sessionNotebook(count: number): Json {
  return notebook(Array.from({ length: count }, (_, i) => sessionCell(i)));
}

/** A notebook of one hand-written code cell, id `cellId`, holding a comment to type after. */
export function typingNotebook(cellId: string): Json {
  return notebook([cell(cellId, 'code', 0, '# typed while model A streams: ')]);
}
