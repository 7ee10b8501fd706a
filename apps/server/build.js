/**
 * Compiles the `duet` command into dist/duet.js: an ESM bundle (plus a chunk per
 * command loaded on demand) of the server's and the kernel package's TypeScript, so Node runs
 * plain JavaScript without tsx's compiler and source maps in memory.
 *
 * npm packages stay external (zeromq is native; pino and express load files of their
 * own at run time). Files that find their data by `import.meta.url` (the kernel's
 * Python, the web app's dist, the builtin tasks) keep finding it beside their
 * sources: each such file sees the URL of its own source, not of the bundle.
 *
 * dist/inputs.json lists the sources, so bin/duet.js can tell a stale build.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const outdir = join(here, 'dist');

/** Bare imports go to node_modules at run time, except Duet's own workspaces. */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@duet/') ? undefined : { path: args.path, external: true }));
  },
};

/** `import.meta.url` in a source file stays that file's own URL, relative to the bundle. */
const sourceUrls = {
  name: 'source-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
      const fromDist = relative(outdir, args.path).split('\\').join('/');
      const url = `new URL(${JSON.stringify(fromDist)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  // dist/duet.js is a program of its own: `node apps/server/dist/duet.js serve` runs the server.
  stdin: {
    contents: "import { main } from './src/cli/main.ts';\nprocess.exitCode = await main(process.argv.slice(2));\n",
    resolveDir: here,
    sourcefile: 'duet.ts',
    loader: 'ts',
  },
  entryNames: 'duet',
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  plugins: [externalPackages, sourceUrls],
});
// The entry written above has no file of its own; this script belongs to every build.
const sources = Object.keys(result.metafile.inputs).map((p) => join(root, p)).filter((p) => existsSync(p));
const inputs = [...sources, fileURLToPath(import.meta.url)];
await writeFile(join(outdir, 'inputs.json'), `${JSON.stringify(inputs.map((p) => relative(outdir, p)), null, 1)}\n`);
