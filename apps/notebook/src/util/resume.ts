/**
 * Whether the last run can be carried on: after the turn limit, an error, Stop
 * or a run that made no progress, Continue adds turns and Retry writes the last
 * turn again. A run that reached its green tests is done; a new request follows it.
 */
import type { DuetNotebookMeta, HaltReason, RunState } from '@duet/server/protocol';
import { assertNever } from './assert-never.ts';

/** True when a run that ended this way can be continued or retried. */
export function resumable(halted: HaltReason): boolean {
  switch (halted) {
    case 'max-turns':
    case 'error':
    case 'stopped':
    case 'no-progress':
      return true;
    case 'tests-passed':
      return false;
    default:
      return assertNever(halted, 'halt reason');
  }
}

/** How the notebook's last run ended, when Continue and Retry apply to it; null otherwise (a run going, none yet, or done). */
export function resumableHalt(run: RunState, meta: DuetNotebookMeta): HaltReason | null {
  if (run.active || meta.runs.length === 0) return null;
  const halted = run.halted ?? meta.halted;
  return halted !== null && resumable(halted) ? halted : null;
}
