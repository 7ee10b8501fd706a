/**
 * The browser app (apps/notebook/dist, built by `npm run build`) at `/`. Every
 * path that is not an API or an asset gets the app's index page, which routes
 * itself. Without a build, `/` says how to make one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

/** Where `npm run build` puts the browser app. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../../notebook/dist', import.meta.url));

/** Serves the built app from `dir`, with the index page for every other non-API path. */
export function staticApp(dir: string): Router {
  const r = Router();
  const index = join(dir, 'index.html');
  r.use(express.static(dir, { index: false, fallthrough: true, dotfiles: 'ignore' }));
  r.get(/^\/(?!api\/|demo\/).*/, (_req, res) => {
    if (!existsSync(index)) {
      res.status(503).type('html').send(NOT_BUILT);
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return r;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Duet: not built</title>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.5">
<h1>Duet</h1><p>The server is running, but the browser app has not been built.</p>
<p>Run <code>npm run build</code> in the Duet folder (or start with <code>npm start</code>, which builds first), then reload this page.</p>
<p>The HTTP API under <code>/api/</code> works without it.</p>
</body>`;
