/**
 * `/api/evals`: the eval folders `duet serve` finds (under the notebooks folder,
 * and in `--evals DIR`), each one's scoreboard as JSON, and its task notebooks.
 * The browser draws the charts itself; the folder's report.html is never served.
 */
import { Router } from 'express';
import { evalListEntry, evalReport, findEvals, taskNotebookText, type FoundEval } from '../eval/index.ts';
import type { EvalListEntry } from '../protocol/index.ts';
import { HttpError } from './errors.ts';

export interface EvalRoutesOptions {
  notebooksDir: string;
  /** `--evals DIR`: an eval folder, or a folder of them. */
  evalsDir?: string | undefined;
}

/** `GET /api/evals`, `GET /api/evals/NAME`, `GET /api/evals/NAME/notebook?path=…`. */
export function evalRoutes(opts: EvalRoutesOptions): Router {
  const r = Router();
  const roots = [...(opts.evalsDir !== undefined ? [opts.evalsDir] : []), opts.notebooksDir];

  /** Looked up among the folders found, so a name can never reach outside them. */
  const named = async (name: string): Promise<FoundEval> => {
    const found = (await findEvals(roots)).find((e) => e.name === name);
    if (!found) throw new HttpError(404, `There is no eval "${name}". Evals are folders made by duet eval --out, found in the notebooks folder${opts.evalsDir !== undefined ? ' and in --evals' : ''}.`);
    return found;
  };

  r.get('/api/evals', async (_req, res) => {
    const rows: EvalListEntry[] = await Promise.all((await findEvals(roots)).map(evalListEntry));
    res.json(rows);
  });

  r.get('/api/evals/:name', async (req, res) => {
    res.json(await evalReport(await named(req.params.name)));
  });

  r.get('/api/evals/:name/notebook', async (req, res) => {
    const found = await named(req.params.name);
    const path = req.query.path;
    if (typeof path !== 'string' || path === '') throw new HttpError(400, 'Say which notebook: ?path= as the scoreboard lists it.');
    const text = await taskNotebookText(found, path);
    if (text === null) throw new HttpError(404, `The eval "${found.name}" has no notebook "${path}".`);
    res.type('application/json').send(text);
  });

  return r;
}
