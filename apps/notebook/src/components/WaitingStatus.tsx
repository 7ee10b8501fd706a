/**
 * A model asked and not answering yet. Local models can take minutes to read a
 * long prompt or to load, and a silent page looks hung: this says which model,
 * what it is doing, and for how long.
 */
import type { WaitingState } from '@duet/server/protocol';
import { formatWholeSeconds } from '../util/durations.ts';
import { waitingLabel } from '../util/labels.ts';
import { Elapsed } from './Elapsed.tsx';

/** `Model B is loading… 23 s`, with the server's own words after it when it said any. */
export function WaitingStatus({ waiting }: { waiting: WaitingState }) {
  return (
    <span className={`waiting ${waiting.loading ? 'loading' : ''}`} data-testid="status-waiting" title={waiting.detail ?? undefined}>
      <span className="spinner" aria-hidden="true" /> {waitingLabel(waiting)} <Elapsed since={waiting.since} format={formatWholeSeconds} />
      {waiting.detail !== null && <small className="waiting-detail">{waiting.detail}</small>}
    </span>
  );
}
