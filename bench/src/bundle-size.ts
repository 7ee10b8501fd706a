/**
 * The built notebook app's JavaScript, gzipped as a server would send it: what the
 * first page load fetches (the entry chunk and what it imports statically, as the
 * built index.html names them) and every chunk the app may fetch later.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const DIST = fileURLToPath(new URL('../../apps/notebook/dist/', import.meta.url));

export interface BundleSize {
  firstLoadGzip: number;
  firstLoadFiles: string[];
  allGzip: number;
  allRaw: number;
  chunks: number;
}

const gzipped = (file: string): number => gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length;

/** Reads apps/notebook/dist; throws when the app is not built. */
export function bundleSize(): BundleSize {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  // The module scripts and their modulepreload links; a file named by both (the boot script) counts once.
  const firstLoadFiles = [...new Set([...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/([^"]+\.js)"/g)].map((m) => m[1] as string))];
  const all = readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`);
  return {
    firstLoadGzip: firstLoadFiles.reduce((n, f) => n + gzipped(f), 0),
    firstLoadFiles,
    allGzip: all.reduce((n, f) => n + gzipped(f), 0),
    allRaw: all.reduce((n, f) => n + readFileSync(join(DIST, f)).length, 0),
    chunks: all.length,
  };
}
