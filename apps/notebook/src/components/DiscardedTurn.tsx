/**
 * A turn that Retry replaced: kept in the notebook, never sent to the models
 * again, and folded to one line that opens to show what it was.
 */
import type { ModelSlot } from '@duet/server/protocol';
import { useId, type ReactNode } from 'react';
import { discardedLabel } from '../util/cell-groups.ts';

interface DiscardedTurnProps {
  model: ModelSlot | null;
  turn: number;
  count: number;
  open: boolean;
  onToggle(): void;
  children: ReactNode;
}

export function DiscardedTurn({ model, turn, count, open, onToggle, children }: DiscardedTurnProps) {
  const id = useId();
  return (
    <div className={`discarded-turn ${model ? `model-${model}` : ''}`} data-testid="discarded-turn">
      <button type="button" className="discarded-toggle" aria-expanded={open} aria-controls={id} onClick={onToggle}>
        <span aria-hidden="true">{open ? '▾' : '▸'}</span> {discardedLabel(model, turn, count)}
      </button>
      {open && (
        <div id={id} className="discarded-cells">
          {children}
        </div>
      )}
    </div>
  );
}
