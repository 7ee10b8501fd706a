/**
 * `duet run` in a child process against the fakes of real model servers, and what a
 * test reads afterwards: the exit code, stdout, stderr and the written notebook.
 * Every child and temporary folder is cleaned up when the test that made it finishes.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { SYSTEM_PYTHON } from '../nbformat.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const DUET = join(ROOT, 'apps/server/bin/duet.js');

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningDuet {
  done: Promise<Finished>;
  /** Resolves once stderr has printed a line matching `re` (checked on everything printed so far). */
  stderrMatches(re: RegExp): Promise<void>;
}

/** Starts `duet ARGS` from the repo root with a clean Duet environment; killed after the test if still running. */
export function startDuet(args: string[]): RunningDuet {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DUET_') && k !== 'NODE_OPTIONS') env[k] = v;
  env.DUET_PYTHON = SYSTEM_PYTHON;
  const child = spawn(process.execPath, [DUET, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<{ re: RegExp; resolve: () => void }>();
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    for (const w of [...watchers]) {
      if (w.re.test(stderr)) {
        watchers.delete(w);
        w.resolve();
      }
    }
  });
  const done = new Promise<Finished>((resolveDone, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolveDone({ code, stdout, stderr }));
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    done,
    stderrMatches: (re) => (re.test(stderr) ? Promise.resolve() : new Promise((r) => watchers.add({ re, resolve: r }))),
  };
}

/** Runs `duet ARGS` to the end. */
export function duet(...args: string[]): Promise<Finished> {
  return startDuet(args).done;
}

/** A temporary folder, removed when the test finishes. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duet-real-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `metadata.duet` of a cell. */
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
