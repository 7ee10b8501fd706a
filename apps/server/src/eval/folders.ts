/**
 * Eval folders on disk, for `duet serve`'s scoreboard: a folder with an
 * `eval.json` is one; a root may be one itself or hold some. Files are only ever
 * opened by names found here, never by a path a request spells out.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { EvalListEntry, EvalReport } from '../protocol/evals.ts';
import { MANIFEST_FILE, readManifest, type EvalManifest } from './manifest.ts';
import { evalName } from './paths.ts';
import { readResults, RESULTS_FILE } from './results-file.ts';
import { buildReport } from './summary.ts';

/** An eval folder found under a root. */
export interface FoundEval {
  name: string;
  dir: string;
  manifest: EvalManifest;
}

/** The eval folders in `roots`, in order; a name found twice is the first one's. */
export async function findEvals(roots: readonly string[]): Promise<FoundEval[]> {
  const found = new Map<string, FoundEval>();
  const consider = async (dir: string): Promise<void> => {
    const name = evalName(dir);
    if (found.has(name) || name.startsWith('.')) return;
    const manifest = await readManifest(dir);
    if (manifest) found.set(name, { name, dir, manifest });
  };
  for (const root of roots) {
    const dir = resolve(root);
    if (await exists(join(dir, MANIFEST_FILE))) {
      await consider(dir);
      continue;
    }
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) await consider(join(dir, e.name));
  }
  return [...found.values()];
}

/** The scoreboard of a found eval, from its results as they are now. */
export async function evalReport(found: FoundEval): Promise<EvalReport> {
  const { results } = await readResults(join(found.dir, RESULTS_FILE));
  return buildReport(found.name, found.manifest, results);
}

/** A row of the eval list. */
export async function evalListEntry(found: FoundEval): Promise<EvalListEntry> {
  const report = await evalReport(found);
  const modified = await stat(join(found.dir, RESULTS_FILE)).then(
    (s) => s.mtime.toISOString(),
    () => found.manifest.updatedAt,
  );
  return { name: found.name, modified, source: report.source, contestants: report.contestants.map((c) => c.id), total: report.total, done: report.done };
}

/**
 * The `.ipynb` text of a task's notebook, when `notebook` is one that a result of
 * this eval names (so nothing else in the folder can be asked for); null otherwise.
 */
export async function taskNotebookText(found: FoundEval, notebook: string): Promise<string | null> {
  const { results } = await readResults(join(found.dir, RESULTS_FILE));
  if (!results.some((r) => r.notebook === notebook)) return null;
  try {
    return await readFile(join(found.dir, notebook), 'utf8');
  } catch {
    return null;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
