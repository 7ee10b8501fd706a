/**
 * The settings a model error may ask the user to change, named by what they are,
 * not by a flag: the LLM client writes a marker, and each front end words it for
 * its own reader — a flag in a terminal, the setting's plain name in the browser
 * (where there are no flags to type, only a server that was started with them).
 */

/** A setting a user can change to fix a model error. */
export type ModelSetting = 'base-url' | 'api-key' | 'models' | 'idle-timeout' | 'first-token-timeout';

/** Who reads the message. */
export type Audience = 'cli' | 'browser';

const WORDS: Record<ModelSetting, Record<Audience, string>> = {
  'base-url': { cli: '--base-url', browser: "the model server address duet serve was started with (--base-url)" },
  'api-key': { cli: '--api-key (DUET_API_KEY)', browser: 'the API key duet serve was started with (--api-key or DUET_API_KEY)' },
  models: { cli: '--model-a / --model-b', browser: 'the Model A and Model B pickers' },
  'idle-timeout': { cli: '--idle-timeout', browser: "duet serve's --idle-timeout" },
  'first-token-timeout': { cli: '--first-token-timeout', browser: "duet serve's --first-token-timeout" },
};

const MARK = /\u27e6(base-url|api-key|models|idle-timeout|first-token-timeout)\u27e7/g;

/** The marker for a setting inside a message; see {@link phrase}. */
export function setting(s: ModelSetting): string {
  return `\u27e6${s}\u27e7`;
}

/** The message with each setting named for `audience`. */
export function phrase(text: string, audience: Audience): string {
  return text.replace(MARK, (_m, s: ModelSetting) => WORDS[s][audience]);
}
