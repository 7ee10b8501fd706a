/**
 * `DIR/results.jsonl`: one line per finished task, appended the moment it is
 * judged, so an eval stopped by Ctrl-C or a crash keeps every finished task and a
 * rerun picks up from there.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { taskResultSchema, type TaskResult } from './result.ts';

export const RESULTS_FILE = 'results.jsonl';

/** What a results file holds, and how many lines could not be used (a line cut short by a crash). */
export interface ReadResults {
  results: TaskResult[];
  skipped: number;
}

/** Reads a results file; a missing file has no results. */
export async function readResults(path: string): Promise<ReadResults> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { results: [], skipped: 0 };
    throw err;
  }
  return parseResults(text);
}

/** Parses JSONL; lines that are not results are counted, not trusted. */
export function parseResults(text: string): ReadResults {
  const results: TaskResult[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      skipped += 1;
      continue;
    }
    const parsed = taskResultSchema.safeParse(json);
    if (parsed.success) results.push(parsed.data);
    else skipped += 1;
  }
  return { results, skipped };
}

/** Appends results one whole line at a time, in the order they were handed in. */
export class ResultsWriter {
  #chain: Promise<void> = Promise.resolve();

  private constructor(readonly path: string) {}

  /**
   * A writer for `path`. A last line cut short by a crash is ended first, so the
   * next result starts a line of its own instead of being lost with it.
   */
  static async open(path: string): Promise<ResultsWriter> {
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text !== '' && !text.endsWith('\n')) await appendFile(path, '\n', 'utf8');
    return new ResultsWriter(path);
  }

  append(result: TaskResult): Promise<void> {
    const line = `${JSON.stringify(result)}\n`;
    const write = this.#chain.then(() => appendFile(this.path, line, 'utf8'));
    // A failed write is the caller's to report; the next one still gets its turn.
    this.#chain = write.catch(() => undefined);
    return write;
  }
}
