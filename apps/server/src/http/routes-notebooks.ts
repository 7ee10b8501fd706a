/** `/api/notebooks`: list, create, read, import or replace, delete, rename. */
import { Router, type Request } from 'express';
import { NotebookDocument, NotebookFormatError, fromIpynb, serializeNotebook } from '../notebook/index.ts';
import { HttpError } from './errors.ts';
import type { NotebookListEntry } from '../protocol/index.ts';
import { checkName, type NotebookStore, type OpenNotebooks } from '../sessions/index.ts';


/** The notebook file routes under `/api/notebooks`. */
export function notebookRoutes(store: NotebookStore, notebooks: OpenNotebooks): Router {
  const r = Router();

  r.get('/api/notebooks', async (_req, res) => {
    // `running` means generating: a notebook whose kernel is merely up is not "running".
    const rows: NotebookListEntry[] = (await store.list()).map((n) => ({ ...n, running: notebooks.get(n.name)?.controller.active === true }));
    res.json(rows);
  });

  r.post('/api/notebooks', async (req, res) => {
    const body = objectBody(req);
    const name = body.name === undefined ? await store.freshName() : checkName(body.name);
    await store.create(new NotebookDocument(name));
    res.status(201).json({ name });
  });

  r.get('/api/notebooks/:name', async (req, res) => {
    const name = nameParam(req);
    const open = notebooks.get(name);
    let text: string;
    if (open) {
      text = serializeNotebook(open.doc);
    } else {
      text = await store.readText(name);
      await store.read(name); // 422 for a file that is not a notebook
    }
    res.type('application/json').send(text);
  });

  r.put('/api/notebooks/:name', async (req, res) => {
    const name = nameParam(req);
    let doc: NotebookDocument;
    try {
      doc = fromIpynb(name, req.body);
    } catch (err) {
      if (err instanceof NotebookFormatError) throw new HttpError(400, `That is not a notebook Duet can import: ${err.message}.`);
      throw err;
    }
    // Refused before an open notebook of that name is closed for it.
    const tooLarge = store.sizeProblem(doc);
    if (tooLarge !== null) throw new HttpError(413, `That notebook was not imported: ${tooLarge}.`);
    const open = notebooks.get(name);
    if (open?.busy) throw new HttpError(409, `"${name}" is running; stop it before replacing it.`);
    const existed = await store.exists(name);
    if (open) await notebooks.close(name, { kind: 'replaced' });
    await store.replace(doc);
    res.status(existed ? 200 : 201).json({ name });
  });

  r.delete('/api/notebooks/:name', async (req, res) => {
    const name = nameParam(req);
    if (!(await store.exists(name))) throw new HttpError(404, `There is no notebook "${name}".`);
    await notebooks.close(name, { kind: 'deleted' });
    await store.remove(name);
    res.status(204).end();
  });

  r.patch('/api/notebooks/:name', async (req, res) => {
    const name = nameParam(req);
    const to = checkName(objectBody(req).name);
    if (to === name) {
      res.json({ name });
      return;
    }
    await notebooks.rename(name, to);
    res.json({ name: to });
  });

  return r;
}

/** The `:name` route parameter, checked. Express has already percent-decoded it. */
export function nameParam(req: Request): string {
  return checkName(req.params.name);
}

/** The JSON body as an object (empty when there is none). */
export function objectBody(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}
