import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_SETTINGS,
  instructionsSummary,
  loadSettings,
  MAX_INSTRUCTIONS,
  saveSettings,
  startRunCommand,
  type RunSettings,
} from '../../apps/notebook/src/util/run-settings.ts';

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
  it('carries the models and limits, and no instructions when there are none', () => {
    expect(startRunCommand('Write add(a, b).', settings)).toEqual({ type: 'start-run', prompt: 'Write add(a, b).', modelA: 'model-a', modelB: 'model-b', passes: 2, maxTurns: 4 });
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
