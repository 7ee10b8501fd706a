/** The run at a glance: who is writing, how fast, how many tests are green, the kernel. */
import type { NotebookSnapshot, SandboxReport } from '@duet/server/protocol';
import { haltLabel, kernelLabel } from '../util/labels.ts';

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
          {run.streaming ? (
            <>
              <span className={`model-chip model-${run.streaming}`}>{run.streaming}</span> is writing
            </>
          ) : (
            'Running tests'
          )}
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
