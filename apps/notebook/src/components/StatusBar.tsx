/** The run at a glance: who is writing or being waited for, how fast, how many tests are green, context use, the kernel. */
import type { NotebookSnapshot, RunState, SandboxReport } from '@duet/server/protocol';
import { haltLabel, kernelLabel } from '../util/labels.ts';
import { ContextMeters } from './ContextMeters.tsx';
import { WaitingStatus } from './WaitingStatus.tsx';

/** What the run is doing right now: waiting on a model, a model writing, or the tests running. */
function RunActivity({ run }: { run: RunState }) {
  if (run.waiting !== null) return <WaitingStatus waiting={run.waiting} />;
  if (run.streaming !== null) {
    return (
      <>
        <span className={`model-chip model-${run.streaming}`}>{run.streaming}</span> is writing
      </>
    );
  }
  return <>Running tests</>;
}

/** One line under the toolbar. */
export function StatusBar({ notebook, sandbox }: { notebook: NotebookSnapshot; sandbox: SandboxReport | null }) {
  const { run, kernel, meta } = notebook;
  // Once the run is over, cells re-run by hand change the count: the notebook's own figure is the live one
  // (and the one a reloaded page shows).
  const passes = run.active ? run.passes : meta.passes;
  const required = run.active || run.halted !== null ? run.required : meta.required;
  const halted = run.halted ?? meta.halted;
  return (
    <div className="status-bar">
      {run.active ? (
        <span className="status-item" data-testid="status-run">
          <RunActivity run={run} />
          {' · '}turn {run.turn} of {run.maxTurns}
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
      <span className={`status-item kernel kernel-${kernel}`} data-testid="kernel-status">
        <span className="kernel-dot" aria-hidden="true" /> Kernel {kernelLabel(kernel)}
      </span>
      {sandbox && (
        <span
          className={`status-item sandbox ${sandbox.available ? '' : 'unsandboxed'}`}
          data-testid="sandbox-status"
          title={sandbox.notes.join('\n')}
        >
          {sandbox.available ? `Sandbox: ${sandbox.mode}` : 'No sandbox: model code runs with your rights'}
        </span>
      )}
    </div>
  );
}
