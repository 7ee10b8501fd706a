/** Words the page shows for protocol values, in one place so they stay consistent. */
import type { HaltReason, KernelStatus, TestStatus, WaitingState } from '@duet/server/protocol';
import { assertNever } from './assert-never.ts';

/** Why a run ended, as a person would say it. */
export function haltLabel(reason: HaltReason): string {
  switch (reason) {
    case 'tests-passed':
      return 'Tests passed';
    case 'stopped':
      return 'Stopped';
    case 'max-turns':
      return 'Turn limit reached';
    case 'no-progress':
      return 'No progress';
    case 'error':
      return 'Model error';
    default:
      return assertNever(reason, 'halt reason');
  }
}

/** A test cell's state in a word or two. */
export function testStatusLabel(status: TestStatus): string {
  switch (status) {
    case 'passed':
      return 'passed';
    case 'failed':
      return 'failed';
    case 'error':
      return 'error';
    case 'blocked':
      return 'blocked';
    case 'not-run':
      return 'not run';
    default:
      return assertNever(status, 'test status');
  }
}

/** The kernel's state in a word or two. */
export function kernelLabel(status: KernelStatus): string {
  switch (status) {
    case 'starting':
      return 'starting';
    case 'idle':
      return 'idle';
    case 'busy':
      return 'busy';
    case 'restarting':
      return 'restarting';
    case 'dead':
      return 'dead';
    case 'shutdown':
      return 'shut down';
    case 'none':
      return 'not started';
    default:
      return assertNever(status, 'kernel status');
  }
}

/** A model asked and silent so far: `Model B is reading the prompt…`, or `Model B is loading…` once its server said so. */
export function waitingLabel(waiting: Pick<WaitingState, 'slot' | 'loading'>): string {
  return waiting.loading ? `Model ${waiting.slot} is loading…` : `Model ${waiting.slot} is reading the prompt…`;
}
