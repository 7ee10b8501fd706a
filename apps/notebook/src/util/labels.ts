/** Words the page shows for protocol values, in one place so they stay consistent. */
import type { HaltReason, KernelStatus, ModelSlot, RunState, SandboxReport, TestStatus, WaitingState } from '@duet/server/protocol';
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
    case 'stale':
      return 'stale';
    default:
      return assertNever(status, 'test status');
  }
}

/** What a test's state means for the green count, for the status badge's hover text. */
export function testStatusHint(status: TestStatus): string {
  switch (status) {
    case 'passed':
      return 'Ran without error and asserted something: it counts as green.';
    case 'failed':
      return 'An assertion failed.';
    case 'error':
      return 'It raised an error before its assertions were settled.';
    case 'blocked':
      return 'It was not run: code it depends on failed.';
    case 'not-run':
      return 'It has not run (or has no assert), so it does not count.';
    case 'stale':
      return 'Code above it changed or ran again after this test ran: it counts as nothing until it runs again (Run all clears it).';
    default:
      return assertNever(status, 'test status');
  }
}

/** `A is writing`, `B is reasoning`: what the streaming model is producing. */
export function producingLabel(slot: ModelSlot, producing: RunState['producing']): string {
  switch (producing) {
    case 'reasoning':
      return `${slot} is reasoning`;
    case 'answer':
    case null:
      return `${slot} is writing`;
    default:
      return assertNever(producing, 'producing');
  }
}

/**
 * A feedback cell's title: whose cells' results it holds and who received them.
 * `from` is the model whose cells ran; `to` is absent in notebooks written before
 * feedback cells named their recipient.
 */
export function feedbackLabel(from: ModelSlot | null, to: ModelSlot | undefined): string {
  const whose = from === null ? 'Results of the cells' : `Results of model ${from}'s cells`;
  return to === undefined ? whose : `${whose}, sent to model ${to}`;
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

/**
 * The kernel's state as the status bar says it. Busy with no cell queued or running
 * means work a cell left behind (a thread, a process), which only a restart stops.
 */
export function kernelStatusText(status: KernelStatus, cellActive: boolean): { label: string; hint: string | null } {
  if (status === 'busy' && !cellActive) {
    return {
      label: 'busy outside any cell',
      hint: 'A thread or process that a cell started is still using the CPU. Interrupt reaches only code in the kernel’s main thread; Restart kernel stops it (variables are lost).',
    };
  }
  return { label: kernelLabel(status), hint: null };
}

/** A model asked and silent so far: `Model B is reading the prompt…`, or `Model B is loading…` once its server said so. */
export function waitingLabel(waiting: Pick<WaitingState, 'slot' | 'loading'>): string {
  return waiting.loading ? `Model ${waiting.slot} is loading…` : `Model ${waiting.slot} is reading the prompt…`;
}

/** Where model code runs and what isolates it: Duet's sandbox here, or the gateway's on another host. */
export function sandboxLabel(sandbox: SandboxReport): string {
  if (sandbox.mode === 'remote') return `Remote kernel on ${sandbox.host ?? 'a gateway'}`;
  return sandbox.available ? `Sandbox: ${sandbox.mode}` : 'No sandbox: model code runs with your rights';
}
