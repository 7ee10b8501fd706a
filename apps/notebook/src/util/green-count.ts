/**
 * How many of the latest request's tests are green now, read off the cells the
 * page shows: the tests written since that request's prompt (by its run and by
 * Continue and Retry after it), not counting turns Retry discarded. Outside a
 * run this is the status bar's figure, so it always agrees with the badges,
 * after a reload too; during a run the server's own count (the one that halts
 * the run) is shown.
 */
import type { DuetNotebookMeta, NotebookCell } from '@duet/server/protocol';

/** The index in `meta.runs` of the latest new request, or null before the first. */
function latestRequest(meta: DuetNotebookMeta): number | null {
  for (let i = meta.runs.length - 1; i >= 0; i--) if (meta.runs[i]?.kind === 'new') return i;
  return null;
}

/** Green tests of the latest request. */
export function greenTests(cells: readonly NotebookCell[], meta: DuetNotebookMeta): number {
  const request = latestRequest(meta);
  if (request === null) return 0;
  const prompt = cells.findIndex((c) => c.duet.role === 'prompt' && c.duet.run === request);
  if (prompt < 0) return 0;
  return cells.slice(prompt + 1).filter((c) => c.duet.role === 'test' && c.duet.discarded !== true && c.duet.test?.status === 'passed').length;
}
