/**
 * An answer as the partner (and the model itself, later) is shown it: prose and
 * marked blocks, rebuilt from the cells with canonical markers. Reasoning is never
 * relayed — it is the largest part of a reasoning model's answer and useless to
 * the partner — and a slipped marker comes back in the form Duet wants.
 */
import type { SplitKind } from '../splitter/index.ts';

/** One cell of an answer, as the splitter closed it. */
export interface RelayedCell {
  kind: SplitKind;
  lang: string | null;
  source: string;
}

export function relayedAnswer(cells: readonly RelayedCell[]): string {
  const parts: string[] = [];
  for (const c of cells) {
    if (c.kind === 'reasoning' || c.source.trim() === '') continue;
    if (c.kind === 'prose') parts.push(c.source);
    else parts.push(`${c.kind === 'code' ? 'RUN-CODE' : 'TEST-ASSERT'}\n\`\`\`${c.lang ?? 'python'}\n${c.source}\n\`\`\``);
  }
  return parts.join('\n\n');
}
