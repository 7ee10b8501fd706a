import { describe, expect, it } from 'vitest';
import { ModelError, phrase, setting } from '@duet/server';

describe('a model error in the words of its reader', () => {
  const error = new ModelError('unreachable', `Could not reach the model server at http://x/v1. Check ${setting('base-url')}, or choose with ${setting('models')}.`, { url: 'http://x/v1' });

  it('names flags in a terminal', () => {
    expect(error.message).toBe('Could not reach the model server at http://x/v1. Check --base-url, or choose with --model-a / --model-b.');
  });

  it('names the settings in the browser, where there are no flags to type', () => {
    const text = error.phraseFor('browser');
    expect(text).toContain('the model server address duet serve was started with');
    expect(text).toContain('the Model A and Model B pickers');
    expect(text).not.toContain('--model-a');
  });

  it.each(['cli', 'browser'] as const)('leaves no marker behind (%s)', (audience) => {
    for (const s of ['base-url', 'api-key', 'models', 'idle-timeout', 'first-token-timeout'] as const) {
      expect(phrase(`x ${setting(s)} y`, audience)).not.toMatch(/\u27e6|\u27e7/);
    }
  });
});
