/**
 * The models, limits, mode and instructions the next run uses: what the person
 * chose if the server still offers it, else the server's first models, else the
 * demo. Each notebook keeps its own choice in its metadata; this browser keeps
 * the latest one as the starting point for notebooks that have none yet.
 */
import type { ClientCommand, ModelSlot, NotebookSettings, RunMode } from '@duet/server/protocol';
import type { Health, ModelList } from '../api/http.ts';

/** Choices the toolbar and the prompt box edit and Send uses. */
export interface RunSettings {
  modelA: string;
  modelB: string;
  passes: number;
  maxTurns: number;
  /** How the two models share the work. */
  mode: RunMode;
  /** Which model answers a request first. */
  first: ModelSlot;
  /** The person's own instructions for model A, added to Duet's rules; empty for none. */
  instructionsA: string;
  instructionsB: string;
}

/** The instructions part of the settings, which the prompt box edits. */
export type RunInstructions = Pick<RunSettings, 'instructionsA' | 'instructionsB'>;

/** The longest instructions the server accepts for one model. */
export const MAX_INSTRUCTIONS = 20_000;

/** Which setting holds each model's instructions. */
export const INSTRUCTIONS_KEYS = { A: 'instructionsA', B: 'instructionsB' } as const satisfies Record<'A' | 'B', keyof RunInstructions>;

/** `set for A and B`, `set for B`, or null when neither model has instructions. */
export function instructionsSummary(instructions: RunInstructions): string | null {
  const set = (['A', 'B'] as const).filter((slot) => instructions[INSTRUCTIONS_KEYS[slot]].trim() !== '');
  return set.length === 0 ? null : `set for ${set.join(' and ')}`;
}

/** A group of options in a model select: one endpoint's models, or the demo. */
export interface ModelGroup {
  label: string;
  models: string[];
}

const STORAGE_KEY = 'duet.run-settings';

/** Defaults the server uses too (see DESIGN.md). */
export const DEFAULT_SETTINGS: RunSettings = {
  modelA: '',
  modelB: '',
  passes: 2,
  maxTurns: 4,
  mode: 'relay',
  first: 'A',
  instructionsA: '',
  instructionsB: '',
};

/** The run modes, in the order the picker lists them. */
export const RUN_MODES: readonly RunMode[] = ['relay', 'coder-tester'];

/** Label of the demo models' group in a model select. */
export const DEMO_GROUP = 'Built-in demo';

/**
 * The options for one slot's select: that slot's endpoint (or the shared one),
 * then the demo. Each id is offered once: a server that is itself the demo (or
 * lists an id twice) does not put the same model in the list twice.
 */
export function modelGroups(list: ModelList | null, slot: 'A' | 'B'): ModelGroup[] {
  if (list === null) return [];
  const endpoint = list.endpoints.find((e) => e.slot === slot) ?? list.endpoints[0];
  const seen = new Set<string>();
  const unseen = (ids: readonly string[]): string[] =>
    ids.filter((id) => {
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  const groups: ModelGroup[] = [];
  const listed = unseen(endpoint?.models ?? []);
  if (endpoint && listed.length > 0) groups.push({ label: endpoint.baseUrl, models: listed });
  const demo = unseen(list.demo);
  if (demo.length > 0) groups.push({ label: DEMO_GROUP, models: demo });
  return groups;
}

function offered(groups: ModelGroup[], id: string): boolean {
  return groups.some((g) => g.models.includes(id));
}

function endpointFor(list: ModelList | null, slot: 'A' | 'B') {
  return list?.endpoints.find((e) => e.slot === slot) ?? list?.endpoints[0];
}

/** Settings valid against what the server offers now. */
export function resolveSettings(saved: RunSettings, list: ModelList | null, health: Health | null): RunSettings {
  const endpointA = endpointFor(list, 'A');
  const endpointB = endpointFor(list, 'B');
  const realA = endpointA?.models ?? [];
  const realB = endpointB?.models ?? [];
  const demo = list?.demo ?? [];
  const reachable = health === null || health.model.reachable;
  // Like the command line: one endpoint for both means its first two ids, or the one id twice.
  const sameEndpoint = endpointA?.baseUrl === endpointB?.baseUrl;
  const firstA = reachable ? realA[0] : undefined;
  const firstB = reachable ? (sameEndpoint ? (realA[1] ?? realA[0]) : realB[0]) : undefined;
  const groupsA = modelGroups(list, 'A');
  const groupsB = modelGroups(list, 'B');
  return {
    // An unreachable server is not papered over with the demo: the banner offers it instead.
    modelA: offered(groupsA, saved.modelA) ? saved.modelA : (firstA ?? (reachable ? demo[0] : undefined) ?? ''),
    modelB: offered(groupsB, saved.modelB) ? saved.modelB : (firstB ?? (reachable ? (demo[1] ?? demo[0]) : undefined) ?? ''),
    passes: saved.passes > 0 ? saved.passes : DEFAULT_SETTINGS.passes,
    maxTurns: saved.maxTurns > 0 ? saved.maxTurns : DEFAULT_SETTINGS.maxTurns,
    mode: saved.mode,
    first: saved.first,
    instructionsA: saved.instructionsA,
    instructionsB: saved.instructionsB,
  };
}

/** The `start-run` command for `prompt`: instructions go along only when there are some. */
export function startRunCommand(prompt: string, settings: RunSettings): Extract<ClientCommand, { type: 'start-run' }> {
  const { modelA, modelB, passes, maxTurns, first, mode } = settings;
  const instructionsA = settings.instructionsA.trim();
  const instructionsB = settings.instructionsB.trim();
  return {
    type: 'start-run',
    prompt,
    ...(modelA ? { modelA } : {}),
    ...(modelB ? { modelB } : {}),
    passes,
    maxTurns,
    first,
    mode,
    ...(instructionsA ? { instructionsA } : {}),
    ...(instructionsB ? { instructionsB } : {}),
  };
}

/** Saved instructions as the server accepts them: text, no longer than it allows. */
function savedInstructions(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, MAX_INSTRUCTIONS) : '';
}

function savedMode(value: unknown): RunMode | undefined {
  return RUN_MODES.find((m) => m === value);
}

function savedSlot(value: unknown): ModelSlot | undefined {
  return value === 'A' || value === 'B' ? value : undefined;
}

function savedCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * The settings a notebook keeps, over the ones this browser starts from: what the
 * notebook does not say (a notebook from before settings were kept, or a field
 * it never set) comes from `seed`. Values of the wrong kind are ignored.
 */
export function withNotebookSettings(seed: RunSettings, saved: NotebookSettings | undefined): RunSettings {
  if (saved === undefined) return seed;
  return {
    modelA: typeof saved.modelA === 'string' && saved.modelA !== '' ? saved.modelA : seed.modelA,
    modelB: typeof saved.modelB === 'string' && saved.modelB !== '' ? saved.modelB : seed.modelB,
    passes: savedCount(saved.passes) ?? seed.passes,
    maxTurns: savedCount(saved.maxTurns) ?? seed.maxTurns,
    mode: savedMode(saved.mode) ?? seed.mode,
    first: savedSlot(saved.first) ?? seed.first,
    instructionsA: typeof saved.instructionsA === 'string' ? savedInstructions(saved.instructionsA) : seed.instructionsA,
    instructionsB: typeof saved.instructionsB === 'string' ? savedInstructions(saved.instructionsB) : seed.instructionsB,
  };
}

/** What `set-settings` sends: every choice, models only once one is picked. */
export function toNotebookSettings(settings: RunSettings): NotebookSettings {
  const { modelA, modelB, passes, maxTurns, mode, first, instructionsA, instructionsB } = settings;
  return { ...(modelA ? { modelA } : {}), ...(modelB ? { modelB } : {}), passes, maxTurns, mode, first, instructionsA, instructionsB };
}

/** True when two choices would start the same run. */
export function sameSettings(a: RunSettings, b: RunSettings): boolean {
  return (
    a.modelA === b.modelA &&
    a.modelB === b.modelB &&
    a.passes === b.passes &&
    a.maxTurns === b.maxTurns &&
    a.mode === b.mode &&
    a.first === b.first &&
    a.instructionsA === b.instructionsA &&
    a.instructionsB === b.instructionsB
  );
}

/** The settings saved in this browser, or the defaults. */
export function loadSettings(): RunSettings {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (raw === null) return DEFAULT_SETTINGS;
    const parsed = JSON.parse(raw) as Partial<RunSettings>;
    return {
      modelA: typeof parsed.modelA === 'string' ? parsed.modelA : '',
      modelB: typeof parsed.modelB === 'string' ? parsed.modelB : '',
      passes: typeof parsed.passes === 'number' ? parsed.passes : DEFAULT_SETTINGS.passes,
      maxTurns: typeof parsed.maxTurns === 'number' ? parsed.maxTurns : DEFAULT_SETTINGS.maxTurns,
      mode: savedMode(parsed.mode) ?? DEFAULT_SETTINGS.mode,
      first: savedSlot(parsed.first) ?? DEFAULT_SETTINGS.first,
      instructionsA: savedInstructions(parsed.instructionsA),
      instructionsB: savedInstructions(parsed.instructionsB),
    };
  } catch {
    return DEFAULT_SETTINGS;
  }
}

/** Remembers the settings in this browser. */
export function saveSettings(settings: RunSettings): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(settings));
  } catch {
    // Private mode or full storage: the choice just will not be remembered.
  }
}
