/**
 * `duet replay NOTEBOOK.ipynb`: the notebook's code and test cells run again, in
 * order, in a fresh sandboxed kernel. Exit 0 when every test that passed in the
 * notebook passes again, 1 when one does not (or there was none to confirm), 2
 * when the file cannot be read as a notebook.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { ConfigError, type DuetConfig } from '../config/index.ts';
import { replayNotebook, type ReplayedTest } from '../eval/index.ts';
import { fromIpynb, NotebookFormatError, type NotebookDocument } from '../notebook/index.ts';
import type { Io } from './run-command.ts';
import { describeRuntime, kernelsFor, prepareRuntime, startTimeout } from '../runtime/index.ts';

export interface ReplayArgs {
  notebook: string;
  json: boolean;
}

export async function replayCommand(args: ReplayArgs, config: DuetConfig, io: Io): Promise<number> {
  const doc = await readNotebook(args.notebook);
  const rt = await prepareRuntime(config, (m) => io.err(m));
  io.err(`replaying ${args.notebook} in a fresh ${describeRuntime(rt)}`);
  const stop = new AbortController();
  const onStop = (): void => {
    if (stop.signal.aborted) process.exit(1);
    stop.abort(new Error('stopped'));
  };
  const removeInterrupt = io.onInterrupt(onStop);
  const removeTerminate = io.onTerminate?.(onStop);
  try {
    const report = await replayNotebook(doc, {
      newKernel: kernelsFor(rt, startTimeout(config)),
      log: rt.log,
      cellTimeoutMs: config.cellTimeout * 1000,
      signal: stop.signal,
      ...(config.workdir !== undefined ? { workdir: resolve(config.workdir) } : {}),
    });
    for (const t of report.tests) io.err(testLine(t));
    const failing = report.expected - report.confirmed;
    if (report.expected === 0) io.err(`No test passed in ${args.notebook}, so there is nothing to confirm (${report.tests.length} test cell(s), ${report.replayed} cell(s) replayed).`);
    else if (failing === 0) io.err(`All ${report.expected} test(s) that passed in the notebook pass in a fresh kernel.`);
    else
      io.err(
        `${failing} of ${report.expected} test(s) that passed in the notebook fail in a fresh kernel: the notebook depends on something that is not in its cells as they stand (a deleted or edited cell, cells run out of order, a variable set by hand).`,
      );
    if (args.json) io.out(`${JSON.stringify(report)}\n`);
    return report.ok ? 0 : 1;
  } catch (err) {
    if (!stop.signal.aborted) throw err;
    io.err('stopped: the replay did not finish.');
    return 1;
  } finally {
    removeInterrupt();
    removeTerminate?.();
  }
}

async function readNotebook(path: string): Promise<NotebookDocument> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const why = err instanceof SyntaxError ? 'it is not JSON' : ((err as NodeJS.ErrnoException).code ?? String(err));
    throw new ConfigError(`Cannot read the notebook ${path} (${why}). Give an .ipynb file.`);
  }
  try {
    return fromIpynb(basename(path, '.ipynb'), json);
  } catch (err) {
    if (err instanceof NotebookFormatError) throw new ConfigError(`${path} is not a notebook Duet can replay: ${err.message}.`);
    throw err;
  }
}

function testLine(t: ReplayedTest): string {
  const mark = t.now === 'passed' ? '✓' : t.recorded === 'passed' ? '✗' : '·';
  const was = t.now === t.recorded ? `${t.now}, as in the notebook` : `${t.now} now, ${t.recorded} in the notebook`;
  return `  ${mark} cell ${t.cell} (${t.firstLine}): ${was}${t.detail ? ` — ${t.detail}` : ''}`;
}
