/** The built-in demo models as discovery would describe them, without asking the demo server. */
import type { EndpointInfo } from './types.ts';

/** The context window the demo models claim: their scripted answers are short, and 8192 is what small real models offer. */
export const DEMO_CONTEXT_WINDOW = 8192;

/** The demo endpoint: kind `demo`, every model a loaded chat model with an 8192-token window. */
export function demoEndpointInfo(ids: readonly string[]): EndpointInfo {
  return {
    kind: 'demo',
    models: ids.map((id) => ({ id, type: 'llm', loaded: true, contextWindow: DEMO_CONTEXT_WINDOW, contextLimit: DEMO_CONTEXT_WINDOW, startsInReasoning: false })),
  };
}
