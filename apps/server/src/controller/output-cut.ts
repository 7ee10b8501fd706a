/**
 * The error output a cell gets when its output passes a limit: which limit, what
 * was kept, and what to do about it. The output area says that it cut; this file
 * says it to the person reading the notebook (and to the next model).
 */
import { OutputArea, type ErrorOutput } from '@duet/kernel';
import { assertNever } from '../util/assert-never.ts';
import type { NotebookLimits, OutputCut } from '../notebook/document.ts';
import { formatLimit } from './disk-watch.ts';

/** The note for a cut in a cell run, phrased for the limit that was hit. */
export function outputCutNote(cut: OutputCut, limits: Readonly<NotebookLimits>): ErrorOutput {
  const evalue = cutMessage(cut, limits);
  return { output_type: 'error', ename: 'OutputLimit', evalue, traceback: [`OutputLimit: ${evalue}`] };
}

function cutMessage(cut: OutputCut, limits: Readonly<NotebookLimits>): string {
  const cell = formatLimit(limits.cellOutputBytes);
  switch (cut.reason) {
    case 'cell':
      return (
        `Duet: output cut at ${cell}, the limit for one cell. Everything the cell's output holds counts ` +
        `(text, images, display updates, metadata), and the rest of its output was dropped; the cell went on running. ` +
        `Print or display less (a summary, the head of a table), or write large results to a file in the working folder.`
      );
    case 'shared':
      return (
        `Duet: output cut at ${formatLimit(Math.max(0, cut.limitBytes))}: the notebook holds ${formatLimit(limits.notebookBytes)} ` +
        `of sources and outputs, its limit, so the rest of this cell's output was dropped; the cell went on running. ` +
        `Delete cells you no longer need, or run cells that printed a lot again printing less, or go on in a new notebook.`
      );
    case 'nesting':
      return (
        `Duet: output cut: an output nested more than ${OutputArea.maxDepth} levels deep cannot be kept safely, so it ` +
        `and the rest of this cell's output were dropped; the cell went on running. Display flatter data.`
      );
    default:
      return assertNever(cut.reason, 'output limit');
  }
}
