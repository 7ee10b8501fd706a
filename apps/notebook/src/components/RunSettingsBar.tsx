/**
 * The choices for the next run, beside the prompt: the two models, who answers
 * first, how they share the work, and when the run ends. They belong to the
 * notebook: changed here, they are saved in it and come back when it opens.
 */
import type { ModelSlot, RunMode } from '@duet/server/protocol';
import { assertNever } from '../util/assert-never.ts';
import { RUN_MODES, type ModelGroup, type RunSettings } from '../util/run-settings.ts';

interface RunSettingsBarProps {
  settings: RunSettings;
  groupsA: ModelGroup[];
  groupsB: ModelGroup[];
  /** True while a run is going: its settings cannot change under it. */
  disabled: boolean;
  onChange(settings: RunSettings): void;
}

function modeLabel(mode: RunMode): string {
  switch (mode) {
    case 'relay':
      return 'Relay';
    case 'coder-tester':
      return 'Coder and tester';
    default:
      return assertNever(mode, 'run mode');
  }
}

function modeHint(mode: RunMode): string {
  switch (mode) {
    case 'relay':
      return 'Relay: both models write code and tests, each building on the other’s turn.';
    case 'coder-tester':
      return 'Coder and tester: the model that answers first writes the code, the other writes the tests.';
    default:
      return assertNever(mode, 'run mode');
  }
}

/** One entry per model, its whole id as its text: the endpoint is the group's label, not part of every name. */
function ModelSelect({ slot, value, groups, disabled, onChange }: { slot: ModelSlot; value: string; groups: ModelGroup[]; disabled: boolean; onChange(id: string): void }) {
  const known = groups.some((g) => g.models.includes(value));
  return (
    <label className={`model-select model-${slot}`}>
      <span className="model-dot" aria-hidden="true">
        {slot}
      </span>
      <select aria-label={`Model ${slot}`} title={value || undefined} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        {!known && <option value={value}>{value || (groups.length === 0 ? 'Loading models…' : 'Choose a model')}</option>}
        {groups.map((g) => (
          <optgroup key={g.label} label={g.label}>
            {g.models.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </label>
  );
}

function NumberField({ label, value, min, max, disabled, onChange }: { label: string; value: number; min: number; max: number; disabled: boolean; onChange(n: number): void }) {
  return (
    <label className="number-field">
      <span>{label}</span>
      <input
        type="number"
        aria-label={label}
        min={min}
        max={max}
        value={value}
        disabled={disabled}
        onChange={(e) => {
          const n = Number.parseInt(e.target.value, 10);
          if (Number.isFinite(n)) onChange(Math.max(min, Math.min(max, n)));
        }}
      />
    </label>
  );
}

/** The run settings, in one wrapping row. */
export function RunSettingsBar({ settings, groupsA, groupsB, disabled, onChange }: RunSettingsBarProps) {
  return (
    <div className="run-settings" role="group" aria-label="Run settings">
      <ModelSelect slot="A" value={settings.modelA} groups={groupsA} disabled={disabled} onChange={(modelA) => onChange({ ...settings, modelA })} />
      <ModelSelect slot="B" value={settings.modelB} groups={groupsB} disabled={disabled} onChange={(modelB) => onChange({ ...settings, modelB })} />
      <label className="choice-field">
        <span>First</span>
        <select
          aria-label="First to answer"
          value={settings.first}
          disabled={disabled}
          onChange={(e) => onChange({ ...settings, first: e.target.value === 'B' ? 'B' : 'A' })}
        >
          <option value="A">Model A</option>
          <option value="B">Model B</option>
        </select>
      </label>
      <label className="choice-field" title={modeHint(settings.mode)}>
        <span>Mode</span>
        <select
          aria-label="Mode"
          value={settings.mode}
          disabled={disabled}
          onChange={(e) => onChange({ ...settings, mode: RUN_MODES.find((m) => m === e.target.value) ?? settings.mode })}
        >
          {RUN_MODES.map((mode) => (
            <option key={mode} value={mode}>
              {modeLabel(mode)}
            </option>
          ))}
        </select>
      </label>
      <NumberField label="Required passes" value={settings.passes} min={1} max={50} disabled={disabled} onChange={(passes) => onChange({ ...settings, passes })} />
      <NumberField label="Max turns" value={settings.maxTurns} min={1} max={100} disabled={disabled} onChange={(maxTurns) => onChange({ ...settings, maxTurns })} />
    </div>
  );
}
