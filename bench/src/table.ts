/** Benchmark sections as aligned plain-text tables, and the machine they ran on. */
import { cpus, totalmem, type, release } from 'node:os';
import type { BenchRow, BenchSection } from './report.ts';

const COLUMNS: { title: string; cell: (row: BenchRow) => string }[] = [
  { title: 'name', cell: (r) => r.name },
  { title: 'Duet', cell: (r) => r.duet },
  { title: 'peer', cell: (r) => r.peer ?? '—' },
  { title: 'ratio', cell: (r) => r.ratio ?? '—' },
  { title: 'note', cell: (r) => r.note ?? '' },
];

/** One section as a table: a title line, a header, a rule, one line per row. */
export function formatSection(section: BenchSection): string {
  const cells = section.rows.map((row) => COLUMNS.map((c) => c.cell(row)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((line) => (line[i] ?? '').length)));
  const line = (values: string[]): string =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join(' | ')
      .trimEnd();
  return [
    `## ${section.title}`,
    line(COLUMNS.map((c) => c.title)),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...cells.map(line),
  ].join('\n');
}

/** What the figures were measured on: they mean little without it. */
export function machineLine(now = new Date()): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  const gib = (totalmem() / 1024 ** 3).toFixed(1);
  return `Machine: ${model} × ${cpu.length} cores, ${gib} GiB RAM, Node ${process.version}, ${type()} ${release()}, ${now.toISOString()}`;
}
