/**
 * `duet run` in a child process against the fakes of real model servers, and what a
 * test reads afterwards: the exit code, stdout, stderr and the written notebook.
 * Every child and temporary folder is cleaned up when the test that made it finishes.
 */
import { readFile } from 'node:fs/promises';

export { duet, startDuet, tempDir, type Finished, type RunningDuet } from '../duet-child.ts';

export interface CellDuet {
  role: 'prompt' | 'prose' | 'reasoning' | 'code' | 'test' | 'feedback';
  model: 'A' | 'B' | null;
  turn: number;
  test?: { status: string };
  note?: string;
}

/** One cell as the .ipynb holds it. */
export interface IpynbCell {
  id: string;
  cell_type: 'markdown' | 'code';
  source: string | string[];
  execution_count?: number | null;
  outputs?: { output_type: string; text?: string | string[]; ename?: string; evalue?: string }[];
  metadata: { duet: CellDuet };
}

/** A notebook Duet wrote. */
export interface Ipynb {
  cells: IpynbCell[];
  metadata: { duet: { models: { A: { id: string; baseUrl: string }; B: { id: string; baseUrl: string } } | null; required: number; passes: number; halted: string | null } };
}

export async function readNotebook(path: string): Promise<Ipynb> {
  return JSON.parse(await readFile(path, 'utf8')) as Ipynb;
}

/** A cell's source as one string. */
export function sourceOf(cell: IpynbCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** The cells of one role, in order. */
export function cellsWithRole(nb: Ipynb, role: CellDuet['role']): IpynbCell[] {
  return nb.cells.filter((c) => c.metadata.duet.role === role);
}

/** The statuses of the test cells, in order. */
export function testStatuses(nb: Ipynb): string[] {
  return cellsWithRole(nb, 'test').map((c) => c.metadata.duet.test?.status ?? 'none');
}
