/**
 * What `duet run` says on stderr while it works: which model is streaming, cells
 * as they run, the green count, warnings, and — while a model has not answered
 * yet — how long it has been loading or reading the prompt. One line per event
 * worth a line, plus a reminder every {@link WAIT_REPORT_MS} of waiting.
 */
import type { NotebookDocument } from '../notebook/document.ts';
import type { WaitingState } from '../protocol/notebook.ts';

/** How often a long wait for the first token is reported again. */
export const WAIT_REPORT_MS = 15_000;

export function reportProgress(doc: NotebookDocument, write: (line: string) => void, now: () => number = Date.now): () => void {
  let streaming: string | null = null;
  let passes = 0;
  let waiting: WaitingState | null = null;
  let error: string | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  const waited = (w: WaitingState): string => `${Math.max(0, Math.round((now() - w.since) / 1000))} s`;
  const sayWait = (w: WaitingState): void => {
    write(w.loading ? `  model ${w.slot} is loading… ${waited(w)}${w.detail ? ` (${w.detail})` : ''}` : `  model ${w.slot} is reading the prompt… ${waited(w)}`);
  };
  const stopTimer = (): void => {
    clearInterval(timer);
    timer = undefined;
  };
  const off = doc.on((e) => {
    switch (e.type) {
      case 'run-state': {
        if (e.run.streaming !== streaming) {
          streaming = e.run.streaming;
          if (streaming) write(`turn ${e.run.turn}/${e.run.maxTurns}: model ${streaming} is writing…`);
        }
        if (e.run.passes !== passes) {
          passes = e.run.passes;
          write(`green tests: ${passes}/${e.run.required}`);
        }
        if (e.run.error !== null && e.run.error !== error) write(`error: ${e.run.error}`);
        error = e.run.error;
        const w = e.run.waiting;
        if (w === null) {
          waiting = null;
          stopTimer();
        } else if (waiting === null || waiting.since !== w.since || waiting.loading !== w.loading) {
          if (w.loading && waiting?.loading !== true) sayWait(w);
          waiting = w;
          if (timer === undefined) {
            timer = setInterval(() => waiting && sayWait(waiting), WAIT_REPORT_MS);
            timer.unref();
          }
        }
        break;
      }
      case 'cell-runtime': {
        const cell = doc.cell(e.id);
        if (cell && e.runtime.phase === 'running') write(`  running ${cell.duet.role} cell (model ${cell.duet.model ?? '-'}, turn ${cell.duet.turn})`);
        break;
      }
      case 'cell-meta':
        if (e.duet.test && e.duet.test.status !== 'not-run') write(`  test ${e.duet.test.status}`);
        break;
      case 'notice':
        write(`${e.level}: ${e.message}`);
        break;
      default:
        break;
    }
  });
  return () => {
    off();
    stopTimer();
  };
}
