/** After a run that ended short of its tests: go on with more turns, or write the last turn again. */
import type { HaltReason } from '@duet/server/protocol';
import { useId } from 'react';
import { haltLabel } from '../util/labels.ts';

interface ResumeBarProps {
  halted: HaltReason;
  /** Turns Continue adds: the Max turns setting. */
  turns: number;
  /** Why the buttons cannot be used now (not connected), or null. */
  blocked: string | null;
  onContinue(): void;
  onRetry(): void;
}

/** `Turn limit reached. [Continue] [Retry]`, each with what it will do. */
export function ResumeBar({ halted, turns, blocked, onContinue, onRetry }: ResumeBarProps) {
  const id = useId();
  return (
    <div className="resume-bar" role="group" aria-label="Carry on the last run" data-testid="resume-bar">
      <span className="resume-why">{haltLabel(halted)}.</span>
      <button type="button" aria-describedby={`${id}-continue`} disabled={blocked !== null} title={blocked ?? undefined} onClick={onContinue}>
        Continue
      </button>
      <span id={`${id}-continue`} className="resume-hint">
        up to {turns} more {turns === 1 ? 'turn' : 'turns'}, with everything so far
      </span>
      <button type="button" aria-describedby={`${id}-retry`} disabled={blocked !== null} title={blocked ?? undefined} onClick={onRetry}>
        Retry
      </button>
      <span id={`${id}-retry`} className="resume-hint">
        the last turn again; the old one stays, folded
      </span>
    </div>
  );
}
