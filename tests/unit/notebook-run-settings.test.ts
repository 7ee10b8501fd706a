import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ModelList } from '@duet/server/protocol';
import {
  DEFAULT_SETTINGS,
  instructionsSummary,
  loadSettings,
  MAX_INSTRUCTIONS,
  modelGroups,
  sameSettings,
  saveSettings,
  startRunCommand,
  toNotebookSettings,
  withNotebookSettings,
  type RunSettings,
} from '@duet/notebook';

const settings: RunSettings = { ...DEFAULT_SETTINGS, modelA: 'model-a', modelB: 'model-b' };

/** A stand-in for the browser's local storage. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the start-run command Send builds', () => {
  it('carries the models, limits, first speaker and mode, and no instructions when there are none', () => {
    expect(startRunCommand('Write add(a, b).', settings)).toEqual({
      type: 'start-run',
      prompt: 'Write add(a, b).',
      modelA: 'model-a',
      modelB: 'model-b',
      passes: 2,
      maxTurns: 4,
      first: 'A',
      mode: 'relay',
    });
  });

  it('lets model B answer first, as the coder of a coder-and-tester run', () => {
    expect(startRunCommand('Write add(a, b).', { ...settings, first: 'B', mode: 'coder-tester' })).toMatchObject({ first: 'B', mode: 'coder-tester' });
  });

  it('carries each model’s instructions, trimmed, only when it has some', () => {
    const command = startRunCommand('Write add(a, b).', { ...settings, instructionsA: '  Use only the standard library.\n', instructionsB: '   ' });
    expect(command.instructionsA).toBe('Use only the standard library.');
    expect(command).not.toHaveProperty('instructionsB');
  });
});

describe('instructions kept in the browser', () => {
  it('survive a reload beside the other run settings', () => {
    vi.stubGlobal('localStorage', memoryStorage());
    saveSettings({ ...settings, instructionsA: 'Answer in French.', instructionsB: 'Prefer recursion.' });
    expect(loadSettings()).toMatchObject({ modelA: 'model-a', instructionsA: 'Answer in French.', instructionsB: 'Prefer recursion.' });
  });

  it('are empty in settings saved before instructions existed, and cut to what the server accepts', () => {
    const storage = memoryStorage();
    vi.stubGlobal('localStorage', storage);
    storage.setItem('duet.run-settings', JSON.stringify({ modelA: 'model-a', modelB: 'model-b', passes: 3, maxTurns: 5 }));
    expect(loadSettings()).toMatchObject({ passes: 3, instructionsA: '', instructionsB: '' });
    storage.setItem('duet.run-settings', JSON.stringify({ instructionsA: 'x'.repeat(MAX_INSTRUCTIONS + 10) }));
    expect(loadSettings().instructionsA).toHaveLength(MAX_INSTRUCTIONS);
  });

  it('are summarised by which models have some', () => {
    expect(instructionsSummary({ instructionsA: '', instructionsB: ' ' })).toBeNull();
    expect(instructionsSummary({ instructionsA: 'x', instructionsB: '' })).toBe('set for A');
    expect(instructionsSummary({ instructionsA: 'x', instructionsB: 'y' })).toBe('set for A and B');
  });
});

describe('settings that belong to the notebook', () => {
  const seed: RunSettings = { ...settings, passes: 3, instructionsA: 'Use numpy.' };

  it('are the browser’s choice for a notebook that saved none', () => {
    expect(withNotebookSettings(seed, undefined)).toBe(seed);
    expect(withNotebookSettings(seed, {})).toEqual(seed);
  });

  it('override the browser’s choice field by field, empty instructions included', () => {
    const merged = withNotebookSettings(seed, { modelA: 'model-b', maxTurns: 7, mode: 'coder-tester', first: 'B', instructionsA: '' });
    expect(merged).toEqual({ ...seed, modelA: 'model-b', maxTurns: 7, mode: 'coder-tester', first: 'B', instructionsA: '' });
  });

  it('ignore values of the wrong kind instead of trusting them', () => {
    const odd = { passes: 0, maxTurns: 2.5, mode: 'solo', first: 'C', modelA: '' } as unknown as Parameters<typeof withNotebookSettings>[1];
    expect(withNotebookSettings(seed, odd)).toEqual(seed);
  });

  it('are sent whole, leaving out a model not chosen yet', () => {
    expect(toNotebookSettings({ ...DEFAULT_SETTINGS, modelB: 'model-b' })).toEqual({
      modelB: 'model-b',
      passes: 2,
      maxTurns: 4,
      mode: 'relay',
      first: 'A',
      instructionsA: '',
      instructionsB: '',
    });
  });

  it('compare equal when they would start the same run', () => {
    expect(sameSettings(seed, { ...seed })).toBe(true);
    expect(sameSettings(seed, { ...seed, first: 'B' })).toBe(false);
  });

  it('remember the first speaker and the mode in this browser, and default them in older saves', () => {
    const storage = memoryStorage();
    vi.stubGlobal('localStorage', storage);
    saveSettings({ ...settings, first: 'B', mode: 'coder-tester' });
    expect(loadSettings()).toMatchObject({ first: 'B', mode: 'coder-tester' });
    storage.setItem('duet.run-settings', JSON.stringify({ modelA: 'model-a', first: 'Z', mode: 42 }));
    expect(loadSettings()).toMatchObject({ first: 'A', mode: 'relay' });
  });
});

describe('the model pickers', () => {
  const list = (models: string[], demo = ['demo-a', 'demo-b']): ModelList => ({
    endpoints: [{ slot: 'A', baseUrl: 'http://localhost:1234/v1', models }],
    demo,
  });

  it('offer each model once, even when the server is itself the demo', () => {
    const groups = modelGroups(list(['demo-a', 'demo-b']), 'A');
    expect(groups).toEqual([{ label: 'http://localhost:1234/v1', models: ['demo-a', 'demo-b'] }]);
  });

  it('offer the server’s models, then the demo models it does not list', () => {
    const groups = modelGroups(list(['qwen2.5-coder-7b-instruct', 'qwen2.5-coder-7b-instruct', 'demo-a']), 'A');
    expect(groups.map((g) => g.models)).toEqual([['qwen2.5-coder-7b-instruct', 'demo-a'], ['demo-b']]);
  });
});
