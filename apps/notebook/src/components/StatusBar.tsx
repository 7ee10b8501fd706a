/** The run at a glance: who is writing or being waited for, how fast, how many tests are green, context use, the kernel. */
import type { NotebookSnapshot, RunState, SandboxReport } from '@duet/server/protocol';
import { useEffect, useState } from 'react';
import { formatWholeSeconds } from '../util/durations.ts';
import { greenTests } from '../util/green-count.ts';
import { haltLabel, kernelStatusText, producingLabel, sandboxLabel } from '../util/labels.ts';
import { ContextMeters } from './ContextMeters.tsx';
import { Elapsed } from './Elapsed.tsx';
import { WaitingStatus } from './WaitingStatus.tsx';

/**
 * What the run is doing right now: a model reading the prompt (asked, no token
 * yet), reasoning, or writing its answer; or, between turns, the cells running.
 */
function RunActivity({ run }: { run: RunState }) {
  if (run.waiting !== null) return <WaitingStatus waiting={run.waiting} />;
  if (run.streaming !== null) {
    // `A is writing`, its first word drawn as the model's chip.
    const label = producingLabel(run.streaming, run.producing);
    return (
      <span className="activity">
        <span className={`model-chip model-${run.streaming}`}>{run.streaming}</span>
        {label.slice(run.streaming.length)}
      </span>
    );
  }
  return <>Running the cells</>;
}

/** `turn 2 of 4 (12 s)`: the clock is the turn's, from its request; while the model is silent the wait shows it already. */
function TurnClock({ run }: { run: RunState }) {
  return (
    <>
      turn {run.turn} of {run.maxTurns}
      {run.turnStartedAt !== null && run.waiting === null && (
        <span className="turn-clock" data-testid="turn-clock">
          {' ('}
          <Elapsed since={run.turnStartedAt} format={formatWholeSeconds} />)
        </span>
      )}
    </>
  );
}

/** A kernel launching on a gateway can take tens of seconds (a pod on a cluster): say where, and how long so far. */
function RemoteStart({ host, kernel }: { host: string; kernel: string }) {
  // Counted from when this page saw the state change: the server sends states, not their times.
  const [since, setSince] = useState(() => Date.now());
  useEffect(() => setSince(Date.now()), [kernel]);
  return (
    <span data-testid="kernel-remote-start">
      {' '}
      on {host}… <Elapsed since={since} format={formatWholeSeconds} />
    </span>
  );
}

/** One line under the toolbar. */
export function StatusBar({ notebook, sandbox }: { notebook: NotebookSnapshot; sandbox: SandboxReport | null }) {
  const { run, kernel, meta } = notebook;
  // The run's own count while it goes; after it, what the test badges show (cells re-run by hand, stale tests).
  const passes = run.active ? run.passes : greenTests(notebook.cells, meta);
  const required = run.active || run.halted !== null ? run.required : meta.required;
  // A run that reached its tests says so only while they are still green: tests broken by hand since make it history.
  const endedAs = run.halted ?? meta.halted;
  const halted = endedAs === 'tests-passed' && passes < required ? null : endedAs;
  const cellActive = Object.values(notebook.runtime).some((r) => r.phase === 'running' || r.phase === 'queued');
  const kernelText = kernelStatusText(kernel, cellActive);
  return (
    <div className="status-bar">
      {run.active ? (
        <span className="status-item" data-testid="status-run">
          <RunActivity run={run} />
          {' · '}
          <TurnClock run={run} />
          {run.tokensPerSecond !== null && <> · {run.tokensPerSecond.toFixed(0)} tokens/s</>}
        </span>
      ) : (
        halted !== null && (
          <span className={`status-item halted halted-${halted}`} data-testid="status-halted" role="status">
            {haltLabel(halted)}
          </span>
        )
      )}
      <span className={`status-item passes ${required > 0 && passes >= required ? 'done' : ''}`} data-testid="status-passes">
        Green tests {passes} / {required}
      </span>
      <ContextMeters context={run.context} />
      <span
        className={`status-item kernel kernel-${kernel}${kernelText.hint !== null ? ' kernel-background' : ''}`}
        data-testid="kernel-status"
        title={kernelText.hint ?? undefined}
      >
        <span className="kernel-dot" aria-hidden="true" /> Kernel {kernelText.label}
        {sandbox?.mode === 'remote' && (kernel === 'starting' || kernel === 'restarting') && <RemoteStart host={sandbox.host ?? 'the gateway'} kernel={kernel} />}
      </span>
      {sandbox && (
        <span
          className={`status-item sandbox ${sandbox.available ? '' : 'unsandboxed'}`}
          data-testid="sandbox-status"
          title={sandbox.notes.join('\n')}
        >
          {sandboxLabel(sandbox)}
        </span>
      )}
    </div>
  );
}
