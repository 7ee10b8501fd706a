/**
 * What `duet run` says on stderr while it works: which model is streaming, cells
 * as they run, the green count, warnings. One line per event worth a line.
 */
import type { NotebookDocument } from '../notebook/document.ts';

export function reportProgress(doc: NotebookDocument, write: (line: string) => void): () => void {
  let streaming: string | null = null;
  let passes = 0;
  return doc.on((e) => {
    switch (e.type) {
      case 'run-state':
        if (e.run.streaming !== streaming) {
          streaming = e.run.streaming;
          if (streaming) write(`turn ${e.run.turn}/${e.run.maxTurns}: model ${streaming} is writing…`);
        }
        if (e.run.passes !== passes) {
          passes = e.run.passes;
          write(`green tests: ${passes}/${e.run.required}`);
        }
        break;
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
}
