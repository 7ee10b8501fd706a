/**
 * How full each model's context window was on its latest request. Each meter is
 * a disclosure button: opened, it shows the facts and, when older turns were
 * folded to fit the window, the summary the model now reads in their place, so
 * what a model no longer sees is never hidden from the person.
 */
import type { ContextMeter, ModelSlot, RunState } from '@duet/server/protocol';
import { useId, useState } from 'react';
import { contextMeterView, type ContextMeterView } from '../util/context-meter.ts';

const SLOTS: readonly ModelSlot[] = ['A', 'B'];

/** One meter: the figures and a small bar. */
function MeterButton({ slot, view, expanded, controls, onToggle }: { slot: ModelSlot; view: ContextMeterView; expanded: boolean; controls: string; onToggle(): void }) {
  return (
    <button
      type="button"
      className={`context-meter model-${slot} ${view.full ? 'full' : ''}`}
      data-testid={`context-${slot}`}
      aria-expanded={expanded}
      aria-controls={controls}
      title={view.facts.join('\n')}
      onClick={onToggle}
    >
      <span>{view.label}</span>
      <span className="meter-bar" aria-hidden="true">
        <span className="meter-fill" style={{ width: `${view.percent}%` }} />
      </span>
      {view.note !== null && <span className="meter-note">{view.note}</span>}
      {view.folded !== null && <span className="meter-folded">· {view.folded}</span>}
    </button>
  );
}

function foldedSentence(slot: ModelSlot, folded: string | null, hasSummary: boolean): string {
  if (folded === null) return `No older turns summarised: model ${slot} reads every turn in full.`;
  return hasSummary ? `${folded}. What model ${slot} reads in their place:` : `${folded}.`;
}

/** What an opened meter shows: the facts, and the summary standing in for folded turns. */
function MeterDetails({ id, slot, meter, view }: { id: string; slot: ModelSlot; meter: ContextMeter; view: ContextMeterView }) {
  return (
    <div id={id} className={`context-details model-${slot}`} role="region" aria-label={`Context of model ${slot}`} data-testid={`context-details-${slot}`}>
      <ul className="context-facts">
        {view.facts.map((fact) => (
          <li key={fact}>{fact}</li>
        ))}
      </ul>
      <p className="context-folded">{foldedSentence(slot, view.folded, meter.summary !== null)}</p>
      {meter.summary !== null && <pre className="context-summary">{meter.summary}</pre>}
    </div>
  );
}

/** The meters of the models that have sent a request, and the one opened, if any. */
export function ContextMeters({ context }: { context: RunState['context'] }) {
  const [open, setOpen] = useState<ModelSlot | null>(null);
  const idBase = useId();
  const shown = SLOTS.flatMap((slot) => {
    const meter = context[slot];
    return meter === null ? [] : [{ slot, meter, view: contextMeterView(slot, meter) }];
  });
  if (shown.length === 0) return null;
  const opened = shown.find((m) => m.slot === open);
  return (
    <>
      <span className="status-item context-meters" role="group" aria-label="Context use">
        {shown.map(({ slot, view }) => (
          <MeterButton
            key={slot}
            slot={slot}
            view={view}
            expanded={open === slot}
            controls={`${idBase}-${slot}`}
            onToggle={() => setOpen((current) => (current === slot ? null : slot))}
          />
        ))}
      </span>
      {opened && <MeterDetails id={`${idBase}-${opened.slot}`} slot={opened.slot} meter={opened.meter} view={opened.view} />}
    </>
  );
}
