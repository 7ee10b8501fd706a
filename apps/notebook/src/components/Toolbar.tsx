/** The run's controls: stop, run all, kernel, download, and the choices for the next run. */
import type { ModelGroup, RunSettings } from '../util/run-settings.ts';

interface ToolbarProps {
  runActive: boolean;
  connected: boolean;
  settings: RunSettings;
  groupsA: ModelGroup[];
  groupsB: ModelGroup[];
  onSettings(settings: RunSettings): void;
  onStop(): void;
  onRunAll(): void;
  onInterrupt(): void;
  onRestart(): void;
  onDownload(): void;
}

/** `http://localhost:1234/v1` → `localhost:1234`: enough to tell endpoints apart in a narrow select. */
function shortEndpoint(label: string): string {
  try {
    return new URL(label).host;
  } catch {
    return label;
  }
}

function ModelSelect({ slot, value, groups, disabled, onChange }: { slot: 'A' | 'B'; value: string; groups: ModelGroup[]; disabled: boolean; onChange(id: string): void }) {
  const known = groups.some((g) => g.models.includes(value));
  return (
    <label className={`model-select model-${slot}`}>
      <span className="model-dot" aria-hidden="true">
        {slot}
      </span>
      <select aria-label={`Model ${slot}`} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        {!known && <option value={value}>{value || (groups.length === 0 ? 'Loading models…' : 'Choose a model')}</option>}
        {groups.map((g) => (
          <optgroup key={g.label} label={g.label}>
            {g.models.map((id) => (
              <option key={id} value={id}>
                {id} — {shortEndpoint(g.label)}
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

/** The bar above the cells. */
export function Toolbar(props: ToolbarProps) {
  const { runActive, connected, settings, onSettings } = props;
  return (
    <div className="toolbar" role="toolbar" aria-label="Notebook">
      <div className="toolbar-group">
        <button type="button" className="stop" disabled={!runActive} onClick={props.onStop}>
          Stop generation
        </button>
        <button type="button" disabled={!connected} onClick={props.onRunAll}>
          Run all
        </button>
        <button type="button" disabled={!connected} onClick={props.onInterrupt}>
          Interrupt kernel
        </button>
        <button type="button" disabled={!connected} onClick={props.onRestart}>
          Restart kernel
        </button>
        <button type="button" onClick={props.onDownload}>
          Download .ipynb
        </button>
      </div>
      <div className="toolbar-group settings">
        <ModelSelect slot="A" value={settings.modelA} groups={props.groupsA} disabled={runActive} onChange={(modelA) => onSettings({ ...settings, modelA })} />
        <ModelSelect slot="B" value={settings.modelB} groups={props.groupsB} disabled={runActive} onChange={(modelB) => onSettings({ ...settings, modelB })} />
        <NumberField label="Required passes" value={settings.passes} min={1} max={50} disabled={runActive} onChange={(passes) => onSettings({ ...settings, passes })} />
        <NumberField label="Max turns" value={settings.maxTurns} min={1} max={100} disabled={runActive} onChange={(maxTurns) => onSettings({ ...settings, maxTurns })} />
      </div>
    </div>
  );
}
