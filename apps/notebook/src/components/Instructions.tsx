/**
 * The person's own instructions for each model ("use numpy", "answer in
 * French"), added to Duet's rules on every run of the notebook. Folded away
 * by default; the toggle says which models have some, so instructions that
 * apply are never out of sight entirely.
 */
import type { ModelSlot } from '@duet/server/protocol';
import { useId, useState } from 'react';
import { INSTRUCTIONS_KEYS, instructionsSummary, MAX_INSTRUCTIONS, type RunInstructions } from '../util/run-settings.ts';

/** Near the limit the field says how much room is left; below it, a count would only distract. */
const COUNT_FROM = MAX_INSTRUCTIONS * 0.9;
const count = new Intl.NumberFormat('en-US');

function InstructionsField({ slot, value, onChange }: { slot: ModelSlot; value: string; onChange(text: string): void }) {
  const id = useId();
  const near = value.length >= COUNT_FROM;
  return (
    <div className={`instructions-field model-${slot}`}>
      <label htmlFor={id}>Instructions for model {slot}</label>
      <textarea
        id={id}
        rows={3}
        maxLength={MAX_INSTRUCTIONS}
        value={value}
        placeholder={`Added to Duet's rules for model ${slot}, e.g. “Use only the standard library.”`}
        aria-describedby={near ? `${id}-count` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {near && (
        <small id={`${id}-count`} className="instructions-count">
          {count.format(value.length)} / {count.format(MAX_INSTRUCTIONS)} characters
        </small>
      )}
    </div>
  );
}

/** A disclosure with one text field per model. */
export function Instructions({ instructions, onChange }: { instructions: RunInstructions; onChange(next: RunInstructions): void }) {
  const [open, setOpen] = useState(false);
  const panel = useId();
  const summary = instructionsSummary(instructions);
  return (
    <div className="instructions">
      <button type="button" className="instructions-toggle" aria-expanded={open} aria-controls={panel} onClick={() => setOpen(!open)}>
        <span className="disclosure-arrow" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>{' '}
        Instructions
        {summary !== null && (
          <>
            {' · '}
            <span className="instructions-summary">{summary}</span>
          </>
        )}
      </button>
      {open && (
        <div id={panel} className="instructions-fields">
          {(['A', 'B'] as const).map((slot) => (
            <InstructionsField
              key={slot}
              slot={slot}
              value={instructions[INSTRUCTIONS_KEYS[slot]]}
              onChange={(text) => onChange({ ...instructions, [INSTRUCTIONS_KEYS[slot]]: text })}
            />
          ))}
        </div>
      )}
    </div>
  );
}
