#!/usr/bin/env node
// Runs Duet's TypeScript sources directly through tsx, so there is no build step
// between a clone and `npx duet`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
