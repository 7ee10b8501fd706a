/** Writes `DIR/report.html`, replacing the last one whole. */
import { join } from 'node:path';
import { writeFileAtomic } from '../notebook/index.ts';
import type { EvalReport } from '../protocol/evals.ts';
import { REPORT_FILE } from './paths.ts';
import { renderReportHtml } from './report-html.ts';

export async function writeReportFile(dir: string, report: EvalReport): Promise<string> {
  const path = join(dir, REPORT_FILE);
  await writeFileAtomic(path, renderReportHtml(report));
  return path;
}
