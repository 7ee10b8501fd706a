/**
 * When a test cell counts as green: it ran without error and holds at least one
 * `assert`. A test without assertions proves nothing, so it never counts.
 */
import type { ExecuteResult, NbOutput } from '@duet/kernel';
import type { TestStatus } from '../protocol/notebook.ts';

/**
 * True when some statement of the code is an `assert`: at the start of a line, or
 * after a `;` or a compound statement's `:`. Comments and string literals (triple-quoted
 * ones too) are blanked first, so an assert that only appears in text never counts.
 */
export function hasAssert(source: string): boolean {
  return /(?:^|[;:])[ \t]*assert\b/m.test(codeOnly(source));
}

/** The source with comments and the insides of string literals replaced by spaces; line breaks kept. */
function codeOnly(source: string): string {
  let out = '';
  let i = 0;
  const n = source.length;
  while (i < n) {
    const ch = source[i] as string;
    if (ch === '#') {
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (ch === '"' || ch === "'") {
      const quote = source.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      let j = i + quote.length;
      while (j < n && !source.startsWith(quote, j)) {
        // An unterminated one-line string ends at the line break, as Python's tokenizer gives up there.
        if (quote.length === 1 && source[j] === '\n') break;
        j += source[j] === '\\' ? 2 : 1;
      }
      const stop = Math.min(n, source.startsWith(quote, j) ? j + quote.length : j);
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

/** Errors that mean the sandbox refused something, not that the code is wrong. */
export function isBlocked(outputs: readonly NbOutput[]): boolean {
  return outputs.some((o) => o.output_type === 'error' && (/\bDuet blocks\b/.test(o.evalue) || o.ename === 'InputRejected'));
}

export function testStatusFor(source: string, result: ExecuteResult, outputs: readonly NbOutput[]): TestStatus {
  if (result.status === 'ok') return hasAssert(source) ? 'passed' : 'not-run';
  if (isBlocked(outputs)) return 'blocked';
  if (result.status === 'aborted') return 'not-run';
  return result.ename === 'AssertionError' ? 'failed' : 'error';
}
