/**
 * The models, limits and instructions the next run uses: what the person chose
 * last time if the server still offers it, else the server's first models, else
 * the demo. Kept in this browser, for every notebook.
 */
import type { ClientCommand } from '@duet/server/protocol';
import type { Health, ModelList } from '../api/http.ts';

/** Choices the toolbar and the prompt box edit and Send uses. */
export interface RunSettings {
  modelA: string;
  modelB: string;
  passes: number;
  maxTurns: number;
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
export const DEFAULT_SETTINGS: RunSettings = { modelA: '', modelB: '', passes: 2, maxTurns: 4, instructionsA: '', instructionsB: '' };

/** The options for one slot's select: that slot's endpoint (or the shared one), then the demo. */
export function modelGroups(list: ModelList | null, slot: 'A' | 'B'): ModelGroup[] {
  if (list === null) return [];
  const endpoint = list.endpoints.find((e) => e.slot === slot) ?? list.endpoints[0];
  const groups: ModelGroup[] = [];
  if (endpoint && endpoint.models.length > 0) groups.push({ label: endpoint.baseUrl, models: endpoint.models });
  if (list.demo.length > 0) groups.push({ label: 'Built-in demo', models: list.demo });
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
    instructionsA: saved.instructionsA,
    instructionsB: saved.instructionsB,
  };
}

/** The `start-run` command for `prompt`: instructions go along only when there are some. */
export function startRunCommand(prompt: string, settings: RunSettings): Extract<ClientCommand, { type: 'start-run' }> {
  const { modelA, modelB, passes, maxTurns } = settings;
  const instructionsA = settings.instructionsA.trim();
  const instructionsB = settings.instructionsB.trim();
  return {
    type: 'start-run',
    prompt,
    ...(modelA ? { modelA } : {}),
    ...(modelB ? { modelB } : {}),
    passes,
    maxTurns,
    ...(instructionsA ? { instructionsA } : {}),
    ...(instructionsB ? { instructionsB } : {}),
  };
}

/** Saved instructions as the server accepts them: text, no longer than it allows. */
function savedInstructions(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, MAX_INSTRUCTIONS) : '';
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
