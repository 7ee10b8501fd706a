/**
 * The notebook's actions in one row: stop the run, run all, the kernel, a new
 * conversation, outputs, download. Each button names its whole action for
 * assistive technology; in a narrow header only the first word or two stay
 * visible, so the row never wraps.
 */
import type { ReactNode } from 'react';

interface ToolbarProps {
  runActive: boolean;
  connected: boolean;
  /** Why a new conversation cannot start now, or null when it can. */
  newConversationBlocked: string | null;
  allCollapsed: boolean;
  onStop(): void;
  onRunAll(): void;
  onInterrupt(): void;
  onRestart(): void;
  onNewConversation(): void;
  onToggleAllOutputs(): void;
  onDownload(): void;
}

/**
 * A toolbar button: `short` stays visible at every width, `rest` only where there
 * is room. The accessible name is the whole label, which starts with what is seen.
 */
function ToolButton({ icon, short, rest, title, className, disabled = false, onClick }: { icon: string; short: string; rest: string; title?: string; className?: string; disabled?: boolean; onClick(): void }) {
  const name = `${short}${rest}`;
  return (
    <button type="button" className={className} aria-label={name} title={title ?? name} disabled={disabled} onClick={onClick}>
      <span className="tool-icon" aria-hidden="true">
        {icon}
      </span>
      <span aria-hidden="true">
        {short}
        {rest !== '' && <span className="tool-rest">{rest}</span>}
      </span>
    </button>
  );
}

/** The bar above the cells. */
export function Toolbar(props: ToolbarProps): ReactNode {
  const { runActive, connected } = props;
  return (
    <div className="toolbar" role="toolbar" aria-label="Notebook">
      <ToolButton icon="■" short="Stop" rest=" generation" className="stop" disabled={!runActive} title="Stop generation (Esc in the prompt box)" onClick={props.onStop} />
      <ToolButton icon="▶" short="Run all" rest="" disabled={!connected} onClick={props.onRunAll} />
      <ToolButton icon="‖" short="Interrupt" rest=" kernel" disabled={!connected} onClick={props.onInterrupt} />
      <ToolButton icon="↻" short="Restart" rest=" kernel" disabled={!connected} onClick={props.onRestart} />
      <ToolButton
        icon="+"
        short="New conversation"
        rest=""
        disabled={props.newConversationBlocked !== null}
        title={props.newConversationBlocked ?? 'New conversation: the next request starts fresh; the models do not see the cells above'}
        onClick={props.onNewConversation}
      />
      <ToolButton
        icon={props.allCollapsed ? '▸' : '▾'}
        short={props.allCollapsed ? 'Expand all' : 'Collapse all'}
        rest=" outputs"
        onClick={props.onToggleAllOutputs}
      />
      <ToolButton icon="⤓" short="Download" rest=" .ipynb" onClick={props.onDownload} />
    </div>
  );
}
