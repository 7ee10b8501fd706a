/**
 * What the page does first: opens the WebSocket of the notebook the address names,
 * so the notebook travels while the app's bundle is fetched, compiled and started.
 * index.html loads this module as a script of its own ahead of the app's (see
 * `vite.config.ts`), so it runs as soon as its few kilobytes arrive; `main.tsx`
 * imports it too (first, for the dev server), and a module runs once per page. The
 * app claims the socket when it opens the notebook (see `api/early-socket.ts`).
 */
import { openEarlySocket } from './api/early-socket.ts';
import { notebookSocketUrl } from './api/http.ts';
import { notebookFromHash } from './util/route.ts';

const name = notebookFromHash(location.hash);
if (name !== null) openEarlySocket(notebookSocketUrl(name));
