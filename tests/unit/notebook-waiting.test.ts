import { describe, expect, it } from 'vitest';
import { formatSeconds, formatWholeSeconds } from '@duet/notebook';
import { waitingLabel } from '@duet/notebook';

describe('waiting for a model’s first token', () => {
  it('says the model is reading the prompt until its server says it is loading', () => {
    expect(waitingLabel({ slot: 'B', loading: false })).toBe('Model B is reading the prompt…');
    expect(waitingLabel({ slot: 'A', loading: true })).toBe('Model A is loading…');
  });

  it('counts the wait in whole seconds, then minutes', () => {
    expect(formatWholeSeconds(0)).toBe('0 s');
    expect(formatWholeSeconds(12_900)).toBe('12 s');
    expect(formatWholeSeconds(65_000)).toBe('1 m 05 s');
    expect(formatWholeSeconds(-500)).toBe('0 s');
  });

  it('keeps tenths for a cell’s run time', () => {
    expect(formatSeconds(1_234)).toBe('1.2 s');
    expect(formatSeconds(125_000)).toBe('2 m 05 s');
  });
});
