/**
 * What went wrong, said plainly, with the way out next to it: one banner per
 * condition, gone when the condition is. The kernel has one banner whatever
 * happened to it (died, restarting, restarted), fed by the server's messages
 * about it, and it goes once a cell runs fine again.
 */
import type { KernelStatus, NotebookSnapshot } from '@duet/server/protocol';
import type { UnavailableReason } from '../api/close-codes.ts';
import type { Health } from '../api/http.ts';
import type { ConnectionStatus } from '../api/socket.ts';
import type { NotebookEnd, Notice } from '../state/store.ts';
import { assertNever } from '../util/assert-never.ts';

interface BannersProps {
  name: string;
  connection: ConnectionStatus;
  ended: NotebookEnd | null;
  notebook: NotebookSnapshot | null;
  health: Health | null;
  usingDemo: boolean;
  notices: Notice[];
  onUseDemo(): void;
  onRetryHealth(): void;
  onDismiss(id: number): void;
  /** Dismisses the kernel's banner (the server's messages about its trouble). */
  onDismissKernel(): void;
}

/** What became of the notebook, and where to go from here. */
function EndBanner({ name, ended }: { name: string; ended: NotebookEnd }) {
  switch (ended.kind) {
    case 'deleted':
      return (
        <div className="banner error" role="alert" data-testid="notebook-ended">
          {name} was deleted (in another tab or through the API). What is shown here is its last state; it is no longer saved and cannot
          run. Open another notebook on the left, or create one with New notebook.
        </div>
      );
    case 'renamed':
      return (
        <div className="banner info" role="status" data-testid="notebook-ended">
          {name} was renamed to {ended.to}. Opening it…
        </div>
      );
    case 'unavailable':
      return (
        <div className="banner error" role="alert" data-testid="notebook-ended">
          {ended.message} {UNAVAILABLE_HINTS[ended.reason]}
        </div>
      );
    default:
      return assertNever(ended, 'notebook end');
  }
}

/** What to do, after the server's own explanation of why a notebook cannot be opened. */
const UNAVAILABLE_HINTS = {
  missing: 'It may have been deleted or renamed elsewhere. Open another notebook on the left, or create one with New notebook.',
  'bad-name': 'Open a notebook from the list on the left instead.',
  broken: 'Once it is fixed or replaced, choose it on the left again; other notebooks open as usual.',
  forbidden: 'This page does not have the access token the server expects (a restarted `duet serve` prints a new one): open the URL it printed.',
} satisfies Record<UnavailableReason, string>;

/** The kernel's one banner: its state now, in the server's latest words about its trouble. */
function KernelBanner({ kernel, notices, onDismiss }: { kernel: KernelStatus; notices: Notice[]; onDismiss(): void }) {
  const latest = notices[notices.length - 1];
  switch (kernel) {
    case 'dead':
      return (
        <div className="banner error" role="alert" data-testid="kernel-banner">
          {latest?.message ?? 'The kernel died.'} Outputs so far are kept; press Restart kernel to run cells again.
        </div>
      );
    case 'restarting':
    case 'starting':
      return (
        <div className="banner info" role="status" data-testid="kernel-banner">
          {kernel === 'restarting' ? 'Restarting the kernel… Variables from earlier runs are gone.' : 'Starting the kernel…'}
        </div>
      );
    case 'idle':
    case 'busy':
    case 'shutdown':
    case 'none':
      // Back up after trouble: the server's last word about it, until a cell runs fine.
      return latest === undefined ? null : (
        <div className={`banner ${latest.level}`} role={latest.level === 'error' ? 'alert' : 'status'} data-testid="kernel-banner">
          <div>{latest.message}</div>
          <button type="button" className="dismiss" aria-label="Dismiss" onClick={onDismiss}>
            ✕
          </button>
        </div>
      );
    default:
      return assertNever(kernel, 'kernel status');
  }
}

/** The stack of banners above the cells. */
export function Banners(props: BannersProps) {
  const { connection, notebook, health } = props;
  const kernelNotices = props.notices.filter((n) => n.kernel);
  return (
    <div className="banners">
      {props.ended && <EndBanner name={props.name} ended={props.ended} />}
      {connection === 'reconnecting' && (
        <div className="banner warning" role="status">
          Connection to the Duet server lost. Reconnecting… The notebook is kept on the server and will be restored.
        </div>
      )}
      {connection === 'connecting' && notebook === null && (
        <div className="banner info" role="status">
          Connecting…
        </div>
      )}
      {health !== null && !health.model.reachable && !props.usingDemo && (
        <div className="banner error" role="alert" data-testid="model-unreachable">
          <div>
            {/* The server's message already names the URL and what to check; say it once. */}
            {health.model.error ?? (
              <>
                Cannot reach the model server at <code>{health.model.baseUrl}</code>.
              </>
            )}{' '}
            Start LM Studio, Ollama, llama.cpp or vLLM there, or try Duet with its built-in demo models.
          </div>
          <div className="banner-actions">
            <button type="button" className="primary" onClick={props.onUseDemo}>
              Use the demo models
            </button>
            <button type="button" onClick={props.onRetryHealth}>
              Check again
            </button>
          </div>
        </div>
      )}
      {notebook?.run.error && (
        <div className="banner error" role="alert" data-testid="run-error">
          {/* The server's words already say what was kept; Continue and Retry sit below, by the prompt. */}
          {notebook.run.error}
        </div>
      )}
      {notebook && <KernelBanner kernel={notebook.kernel} notices={kernelNotices} onDismiss={props.onDismissKernel} />}
      {props.notices
        .filter((n) => !n.kernel)
        .map((n) => (
          <div key={n.id} className={`banner ${n.level}`} role={n.level === 'error' ? 'alert' : 'status'}>
            <div>{n.message}</div>
            <button type="button" className="dismiss" aria-label="Dismiss" onClick={() => props.onDismiss(n.id)}>
              ✕
            </button>
          </div>
        ))}
    </div>
  );
}
