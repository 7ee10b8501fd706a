#!/usr/bin/env -S node --max-semi-space-size=1
// Runs the compiled server (dist/, built by `npm install` and `npm run build`) when
// it is newer than every source it was built from; otherwise the TypeScript sources
// through tsx, so an edit takes effect without a build and a clone runs before one.
import { readFileSync, statSync } from 'node:fs';

const dist = new URL('../dist/', import.meta.url);

/** True when dist/duet.js exists and no source it lists has changed since. */
function distIsFresh() {
  try {
    const built = statSync(new URL('duet.js', dist)).mtimeMs;
    const inputs = JSON.parse(readFileSync(new URL('inputs.json', dist), 'utf8'));
    return inputs.every((p) => statSync(new URL(p, dist)).mtimeMs <= built);
  } catch {
    // No build, or a source it lists is gone: the build is of no use.
    return false;
  }
}

if (distIsFresh()) {
  await import(new URL('duet.js', dist).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
