/** What went wrong, said plainly, with the way out next to it. */
import type { NotebookSnapshot } from '@duet/server/protocol';
import type { Health } from '../api/http.ts';
import type { ConnectionStatus } from '../api/socket.ts';
import type { Notice } from '../state/store.ts';

interface BannersProps {
  connection: ConnectionStatus;
  notebook: NotebookSnapshot | null;
  health: Health | null;
  usingDemo: boolean;
  notices: Notice[];
  onUseDemo(): void;
  onRetryHealth(): void;
  onDismiss(id: number): void;
}

/** The stack of banners above the cells. */
export function Banners(props: BannersProps) {
  const { connection, notebook, health } = props;
  return (
    <div className="banners">
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
          {notebook.run.error} What was written so far is kept in the notebook.
        </div>
      )}
      {notebook?.kernel === 'dead' && (
        <div className="banner error" role="alert">
          The kernel died. Outputs so far are kept; press Restart kernel to run cells again.
        </div>
      )}
      {(notebook?.kernel === 'restarting' || notebook?.kernel === 'starting') && (
        <div className="banner info" role="status">
          {notebook.kernel === 'restarting' ? 'Restarting the kernel… Variables from earlier runs are gone.' : 'Starting the kernel…'}
        </div>
      )}
      {props.notices.map((n) => (
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
