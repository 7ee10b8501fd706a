/** What a notebook does: runs, stop, cells, the kernel. Each opens the notebook if it is not open yet. */
import { Router } from 'express';
import { HttpError } from './errors.ts';
import { resumeRequestSchema, runRequestSchema } from './commands.ts';
import type { NotebookStore, OpenNotebooks } from '../sessions/index.ts';
import { nameParam, objectBody } from './routes-notebooks.ts';

/** Runs, stop, cell runs and kernel control under `/api/notebooks/NAME/`. */
export function runRoutes(store: NotebookStore, notebooks: OpenNotebooks): Router {
  const r = Router();

  r.post('/api/notebooks/:name/runs', async (req, res) => {
    const name = nameParam(req);
    const parsed = runRequestSchema.safeParse(objectBody(req));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpError(400, `Bad run request${issue?.path.length ? ` (${issue.path.join('.')})` : ''}: ${issue?.message ?? 'invalid'}.`);
    }
    const nb = await notebooks.open(name);
    await nb.startRun(parsed.data);
    res.status(202).json({ name, run: nb.doc.run });
  });

  r.post('/api/notebooks/:name/continue', async (req, res) => {
    const parsed = resumeRequestSchema.safeParse(objectBody(req));
    if (!parsed.success) throw new HttpError(400, `Bad continue request: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
    const nb = await notebooks.open(nameParam(req));
    await nb.continueRun(parsed.data);
    res.status(202).json({ name: nb.name, run: nb.doc.run });
  });

  r.post('/api/notebooks/:name/retry', async (req, res) => {
    const nb = await notebooks.open(nameParam(req));
    await nb.retryTurn();
    res.status(202).json({ name: nb.name, run: nb.doc.run });
  });

  r.post('/api/notebooks/:name/stop', async (req, res) => {
    const name = nameParam(req);
    const nb = notebooks.get(name);
    if (!nb && !(await store.exists(name))) throw new HttpError(404, `There is no notebook "${name}".`);
    const stopping = nb?.controller.active ?? false;
    nb?.stop();
    res.status(202).json({ stopping });
  });

  r.post('/api/notebooks/:name/cells/:id/run', async (req, res) => {
    const nb = await notebooks.open(nameParam(req));
    nb.runCell(req.params.id);
    res.status(202).json({ queued: req.params.id });
  });

  r.post('/api/notebooks/:name/run-all', async (req, res) => {
    const nb = await notebooks.open(nameParam(req));
    nb.runAll();
    res.status(202).json({ queued: 'all' });
  });

  r.post('/api/notebooks/:name/kernel/interrupt', async (req, res) => {
    const nb = await notebooks.open(nameParam(req));
    await nb.interrupt();
    res.json({ kernel: nb.kernel.state });
  });

  r.post('/api/notebooks/:name/kernel/restart', async (req, res) => {
    const nb = await notebooks.open(nameParam(req));
    await nb.restart();
    res.json({ kernel: nb.kernel.state });
  });

  return r;
}
