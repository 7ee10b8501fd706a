/**
 * Cell splitter throughput on a realistic 1 MB answer (prose, marked and unmarked
 * blocks, reasoning), fed as a model would stream it, and whether the cost stays
 * linear as the answer grows.
 */
import { performance } from 'node:perf_hooks';
import { CellSplitter } from '@duet/server';
import type { BenchRow, BenchSection } from './report.ts';

const MB = 1024 * 1024;
const RUNS = 5;
const NO_PEER = 'No peer measured: there is no comparable streaming splitter to run beside it.';

const SECTIONS = [
  (i: number) => `## Step ${i}\n\nWe compute the **${i}th** value with \`f(x)\`; see the helper below.\n\n`,
  (i: number) => `RUN-CODE\n\`\`\`python\ndef f${i}(x):\n    return x * ${i} + 1\n\nprint(f${i}(2))\n\`\`\`\n\n`,
  (i: number) => `**TEST-ASSERT:**\n\n\`\`\`python\nassert f${i}(2) == ${2 * i + 1}\n\`\`\`\n`,
  (i: number) => `For comparison, in shell:\n\n\`\`\`bash\necho $(( 2 * ${i} + 1 ))\n\`\`\`\n\n`,
  (i: number) => `<think>Check case ${i}: 2*${i}+1 = ${2 * i + 1}. RUN-CODE is not needed here.</think>\n`,
  (i: number) => `\`\`\`python TEST-ASSERT\nassert isinstance(f${i}(0), int)\n\`\`\`\n\nThat covers it.\r\n\r\n`,
];

/** A deterministic answer of exactly `size` characters. */
export function realisticAnswer(size: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const part = (SECTIONS[i % SECTIONS.length] as (i: number) => string)(i);
    parts.push(part);
    length += part.length;
  }
  return parts.join('').slice(0, size);
}

function cut(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

function megabytesPerSecond(pieces: readonly string[], chars: number): number {
  const start = performance.now();
  const splitter = new CellSplitter();
  let events = 0;
  for (const piece of pieces) events += splitter.push(piece).length;
  events += splitter.end().length;
  const seconds = (performance.now() - start) / 1000;
  if (events === 0) throw new Error('The splitter produced no events; the benchmark input is wrong.');
  return chars / MB / seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function medianThroughput(text: string, chunk: number): number {
  const pieces = cut(text, chunk);
  megabytesPerSecond(pieces, text.length); // warm-up
  return median(Array.from({ length: RUNS }, () => megabytesPerSecond(pieces, text.length)));
}

/** Throughput (MB/s, median of five runs) in 1- and 20-character chunks, and at 250 KB against 1 MB. */
export async function benchSplitter(): Promise<BenchSection> {
  const answer = realisticAnswer(MB);
  const quarter = answer.slice(0, MB / 4);
  const large = medianThroughput(answer, 1);
  const rows: BenchRow[] = [
    { name: '1 MB answer, 1-char chunks', duet: `${large.toFixed(1)} MB/s`, note: NO_PEER },
    { name: '1 MB answer, 20-char chunks', duet: `${medianThroughput(answer, 20).toFixed(1)} MB/s`, note: NO_PEER },
  ];
  const small = medianThroughput(quarter, 1);
  rows.push({
    name: 'Linearity: MB/s at 250 KB vs 1 MB (1-char chunks)',
    duet: `${small.toFixed(1)} vs ${large.toFixed(1)} MB/s (×${(large / small).toFixed(2)})`,
    note: `Near ×1.00 means cost grows linearly with the answer. ${NO_PEER}`,
  });
  return { title: 'Cell splitter', rows };
}
