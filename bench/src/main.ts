/**
 * `npm run bench [-- KEY …]`: runs every benchmark section, or only those named,
 * and prints each as a table of Duet's figure beside the peer's from the same run.
 */
import { benchBrowser } from './browser.ts';
import { benchController } from './controller.ts';
import { benchConversation } from './conversation.ts';
import { benchEval } from './eval.ts';
import { benchGateway } from './gateway.ts';
import { benchKernel } from './kernel.ts';
import type { BenchSection } from './report.ts';
import { benchSandbox } from './sandbox.ts';
import { benchServer } from './server.ts';
import { benchSplitter } from './splitter.ts';
import { formatSection, machineLine } from './table.ts';

interface Section {
  key: string;
  run: () => Promise<BenchSection>;
}

/** In the order they run: cheap and self-contained first, whole-system last. */
const SECTIONS: Section[] = [
  { key: 'splitter', run: benchSplitter },
  { key: 'kernel', run: benchKernel },
  { key: 'sandbox', run: benchSandbox },
  { key: 'controller', run: benchController },
  { key: 'conversation', run: benchConversation },
  { key: 'server', run: benchServer },
  { key: 'gateway', run: benchGateway },
  { key: 'eval', run: benchEval },
  { key: 'browser', run: benchBrowser },
];

async function main(): Promise<number> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((k) => !SECTIONS.some((s) => s.key === k));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark section: ${unknown.join(', ')}. Known sections: ${SECTIONS.map((s) => s.key).join(', ')}.`);
    return 2;
  }
  const chosen = wanted.length === 0 ? SECTIONS : SECTIONS.filter((s) => wanted.includes(s.key));
  console.log(machineLine());
  let failed = 0;
  for (const section of chosen) {
    console.log('');
    try {
      console.log(formatSection(await section.run()));
    } catch (err) {
      failed += 1;
      console.log(`## ${section.key}: failed\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
