import type { ContextMeter } from '@duet/server/protocol';
import { describe, expect, it } from 'vitest';
import { contextMeterView, foldedLabel } from '@duet/notebook';

const meter = (over: Partial<ContextMeter> = {}): ContextMeter => ({
  sent: 2_310,
  window: 4_096,
  source: 'server',
  measured: true,
  maxTokens: 1_024,
  folded: 0,
  summary: null,
  ...over,
});

describe('a context meter in words', () => {
  it('reads as tokens sent out of the window, with thousands separated', () => {
    expect(contextMeterView('A', meter()).label).toBe('A: 2,310 / 4,096 tokens');
  });

  it('marks an estimate with a tilde', () => {
    expect(contextMeterView('B', meter({ measured: false })).label).toBe('B: ~2,310 / 4,096 tokens');
  });

  it('says a guessed window is a default and names the flag that sets it', () => {
    const view = contextMeterView('B', meter({ source: 'default' }));
    expect(view.note).toBe('(default — set --context-b)');
    expect(view.facts.join('\n')).toContain('a guess: the model server did not say. Set --context-b');
  });

  it('has no note for a window the server reported or a flag set', () => {
    expect(contextMeterView('A', meter({ source: 'server' })).note).toBeNull();
    expect(contextMeterView('A', meter({ source: 'flag' })).note).toBeNull();
    expect(contextMeterView('A', meter({ source: 'flag' })).facts).toContain('Context window: 4,096 tokens, set with --context-a.');
  });

  it('warns above 90 % of the window, and says how full it is', () => {
    const view = contextMeterView('A', meter({ sent: 3_800 }));
    expect(view.full).toBe(true);
    expect(view.note).toBe('93 % full');
    expect(contextMeterView('A', meter({ sent: 3_686 })).full).toBe(false);
  });

  it('fills the bar in proportion, never past the end', () => {
    expect(contextMeterView('A', meter({ sent: 1_024 })).percent).toBe(25);
    expect(contextMeterView('A', meter({ sent: 9_000 })).percent).toBe(100);
    expect(contextMeterView('A', meter({ window: 0 })).full).toBe(true);
  });

  it('gives the answer budget and how the prompt was counted among its facts', () => {
    expect(contextMeterView('A', meter()).facts).toEqual([
      'Prompt of the latest request: 2,310 tokens, counted by the model server.',
      'Context window: 4,096 tokens, as the model server reports it.',
      'Answer budget: 1,024 tokens.',
    ]);
    expect(contextMeterView('A', meter({ measured: false })).facts[0]).toBe('Prompt of the latest request: about 2,310 tokens, estimated by Duet.');
  });

  it('counts the turns folded into a summary, and says nothing when none were', () => {
    expect(contextMeterView('A', meter({ folded: 3, summary: '…' })).folded).toBe('3 older turns summarised');
    expect(foldedLabel(1)).toBe('1 older turn summarised');
    expect(foldedLabel(0)).toBeNull();
  });
});
