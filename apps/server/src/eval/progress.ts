/**
 * The progress line of a running eval: after each finished task, what it was and
 * how it went, the pass rate so far of every contestant, and the time left.
 */
import { assertNever } from '../util/assert-never.ts';
import type { TaskOutcome } from '../protocol/evals.ts';
import { duration } from '../protocol/eval-figures.ts';
import type { EvalEvent } from './runner.ts';
import { outcomeOf } from './summary.ts';

const WORDS: Record<TaskOutcome, string> = { solved: 'solved', 'false-green': 'FALSE GREEN (claimed, hidden tests failed)', unsolved: 'not solved', error: 'ERROR' };

/** Reports events as lines; `contestants` in the order the scoreboard lists them. */
export function progressReporter(contestants: readonly string[], write: (line: string) => void, now: () => number = Date.now): (e: EvalEvent) => void {
  let startedAt = now();
  return (e) => {
    switch (e.type) {
      case 'planned': {
        startedAt = now();
        const already = e.done > 0 ? `${e.done} already done, ` : '';
        const retry = e.retrying > 0 ? ` (${e.retrying} ended in an error before and run again)` : '';
        const unreadable = e.unreadable > 0 ? ` ${e.unreadable} unreadable line(s) in results.jsonl were ignored.` : '';
        write(`eval: ${e.total} runs; ${already}${e.todo} to run${retry}.${unreadable}`);
        return;
      }
      case 'task-started':
        return;
      case 'task-finished': {
        const r = e.result;
        const facts = r.status === 'judged' ? `${r.run.turns} ${r.run.turns === 1 ? 'turn' : 'turns'}, ${duration(r.wallMs)}` : `${r.stage}: ${r.error}`;
        const left = e.todo - e.finished;
        const eta = left > 0 ? ` — about ${duration(((now() - startedAt) / e.finished) * left)} left` : '';
        write(`[${e.finished}/${e.todo}] ${r.contestant} · ${r.task}: ${WORDS[outcomeOf(r)]} (${facts}) — ${soFar(contestants, e.results)}${eta}`);
        return;
      }
      case 'stopping':
        write(`stopping: ${e.running} running task(s) are stopped and will run again next time; finished ones are kept (Ctrl-C again to quit at once)…`);
        return;
      default:
        assertNever(e, 'eval event');
    }
  };
}

function soFar(contestants: readonly string[], results: EvalEventResults): string {
  return contestants
    .map((id) => {
      let solved = 0;
      let judged = 0;
      for (const r of results.values()) {
        if (r.contestant !== id || r.status !== 'judged') continue;
        judged += 1;
        if (r.solved) solved += 1;
      }
      return `${id} ${solved}/${judged}${judged > 0 ? ` ${Math.round((solved / judged) * 100)}%` : ''}`;
    })
    .join(' · ');
}

type EvalEventResults = Extract<EvalEvent, { type: 'task-finished' }>['results'];
