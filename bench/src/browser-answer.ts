/**
 * The model answer the browser benchmark streams: prose and a marked code
 * block per second of output, cut into 4-character tokens and sent on a fixed
 * schedule, so the page receives a steady 200 tokens per second however long
 * each `delay` step actually slept.
 */
import { performance } from 'node:perf_hooks';
import { contentChunks, type ScriptStep } from '@duet/server';

/** One token every 5 ms: 200 tokens per second. */
export const TOKEN_INTERVAL_MS = 5;
/** Characters per token, about what a real tokenizer averages on English and Python. */
const TOKEN_CHARS = 4;

/** What the scripted model did while answering one request, for the report. */
export interface StreamLog {
  tokens: number;
  /** `performance.now()` of this process when the first and the last token were written. */
  firstMs: number;
  lastMs: number;
}

/** Tokens per second over the stream, first token to last. */
export function tokensPerSecond(log: StreamLog): number {
  return log.tokens > 1 ? ((log.tokens - 1) * 1000) / (log.lastMs - log.firstMs) : 0;
}

/**
 * Block `k` of the answer: a paragraph of prose, then a `RUN-CODE` block of
 * about 150 tokens that prints one line when it runs (its fence closes at the
 * block's end, so the cell runs while the next block streams).
 */
function answerBlock(k: number): string {
  const prose =
    `Step ${k}: the running totals for batch ${k}, computed directly and then checked against the closed form ` +
    `n(n + 1) / 2, so that an off-by-one in the range shows up at once rather than three cells later.`;
  const code = [
    `rows_${k} = [i * ${k} for i in range(40)]`,
    `total_${k} = sum(rows_${k})`,
    `expected_${k} = ${k} * 39 * 40 // 2`,
    `mean_${k} = total_${k} / len(rows_${k})`,
    `spread_${k} = max(rows_${k}) - min(rows_${k})`,
    `evens_${k} = [r for r in rows_${k} if r % 2 == 0]`,
    `odds_${k} = [r for r in rows_${k} if r % 2 == 1]`,
    `summary_${k} = {"total": total_${k}, "mean": mean_${k}, "spread": spread_${k}}`,
    `labels_${k} = ", ".join(f"{key}={value}" for key, value in summary_${k}.items())`,
    `check_${k} = "ok" if total_${k} == expected_${k} else "mismatch"`,
    `print(f"batch ${k}: {labels_${k}} ({len(evens_${k})} even, {len(odds_${k})} odd, {check_${k}})")`,
  ].join('\n');
  return `${prose}\n\nRUN-CODE\n\`\`\`python\n${code}\n\`\`\`\n\n`;
}

/**
 * The answer's tokens, a block at a time: `blocks` blocks, or, with `until`,
 * blocks until `until()` is true (checked between blocks, so no code block is
 * ever left open) and at most `blocks`.
 */
export function* answerTokens(blocks: number, until: () => boolean = () => false): Generator<string> {
  for (let k = 1; k <= blocks && !until(); k++) {
    for (const step of contentChunks(answerBlock(k), TOKEN_CHARS)) {
      if (step.type === 'content') yield step.text;
    }
  }
}

/** The script steps that send `tokens` one every {@link TOKEN_INTERVAL_MS}, on a schedule fixed at the first token; `log` is filled as they go. */
export async function* pacedAnswer(tokens: Iterable<string>, log: StreamLog): AsyncGenerator<ScriptStep> {
  const start = performance.now();
  let i = 0;
  for (const text of tokens) {
    const wait = start + i * TOKEN_INTERVAL_MS - performance.now();
    if (wait > 0) yield { type: 'delay', ms: wait };
    yield { type: 'content', text };
    const now = performance.now();
    if (i === 0) log.firstMs = now;
    log.lastMs = now;
    i += 1;
    log.tokens = i;
  }
  yield { type: 'finish', reason: 'stop' };
}
