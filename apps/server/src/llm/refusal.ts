import { assertNever } from '../util/assert-never.ts';
import { classifyRefusal } from './classify.ts';
import { ModelError, missingV1Hint, redactKey } from './errors.ts';
import type { ServerErrorFacts } from './server-error.ts';
import { setting } from './settings-words.ts';

/** Where a refusal came from and what it was about, for its message. */
export interface RefusalContext {
  /** The display form of the base URL. */
  url: string;
  apiKey: string | undefined;
  /** The endpoint below the base URL, like `/chat/completions`. */
  path: string;
  /** The model asked for, when the request named one. */
  model?: string;
  /**
   * `response`: an HTTP error status, before anything was streamed. `before-answer`: an
   * error event in a stream that had carried nothing of the answer yet. `mid-answer`: an
   * error event after part of the answer arrived.
   */
  moment: 'response' | 'before-answer' | 'mid-answer';
  cause?: unknown;
}

/**
 * Turns what a server said when it refused into a {@link ModelError} of the kind its
 * words call for, quoting them (without the API key). `status` is the HTTP status, or
 * the numeric `code` of an error sent inside a stream.
 */
export function refusalError(status: number | undefined, facts: ServerErrorFacts | undefined, ctx: RefusalContext): ModelError {
  const said = facts === undefined ? undefined : redactKey(facts.message, ctx.apiKey);
  const refusal = classifyRefusal(status, facts);
  const base = {
    url: ctx.url,
    ...(status === undefined ? {} : { status }),
    ...(said === undefined ? {} : { serverMessage: said }),
    ...(ctx.cause === undefined ? {} : { cause: ctx.cause }),
  };
  const quoted = said === undefined ? '' : ` ("${said}")`;
  const who = ctx.model === undefined ? 'the model' : `"${ctx.model}"`;
  const kept = ctx.moment === 'mid-answer' ? ' The answer so far was kept.' : '';
  switch (refusal.kind) {
    case 'loading':
      return new ModelError('loading', `The model server at ${ctx.url} is still loading the model${quoted}.`, { ...base, retryable: true });
    case 'no-model-loaded': {
      const load = ctx.model === undefined ? 'Load a model in LM Studio (or run `lms load MODEL`)' : `Load ${who} in LM Studio (or run \`lms load ${ctx.model}\`)`;
      return new ModelError(
        'no-model-loaded',
        `The model server at ${ctx.url} has no model loaded${quoted}. ${load}, or turn on Just-in-Time model loading in LM Studio's server settings so a request loads it.`,
        base,
      );
    }
    case 'context-overflow': {
      const { promptTokens, contextWindow } = refusal;
      const sizes =
        promptTokens !== undefined && contextWindow !== undefined
          ? ` (${promptTokens} tokens for a window of ${contextWindow})`
          : contextWindow !== undefined
            ? ` (a window of ${contextWindow} tokens)`
            : '';
      const what = ctx.moment === 'mid-answer' ? `ran out of context window in the middle of the answer from ${who}` : `refused the conversation for ${who}: it does not fit the model's context window${sizes}`;
      const told = said === undefined ? '' : ` The server said: "${said}".`;
      return new ModelError(
        'context-overflow',
        `The model server at ${ctx.url} ${what}.${told} Load the model with a larger context length, or shorten the conversation.${kept}`,
        {
          ...base,
          ...(promptTokens === undefined ? {} : { promptTokens }),
          ...(contextWindow === undefined ? {} : { contextWindow }),
        },
      );
    }
    case 'system-role':
      return new ModelError(
        'system-role',
        `The chat template of ${who} at ${ctx.url} does not accept a system message${quoted}. Put the instructions in the first user message, or use a model whose template accepts a system message.`,
        base,
      );
    case 'other':
      return otherRefusal(status, said, ctx, base, who, kept);
    default:
      return assertNever(refusal, 'refusal');
  }
}

/** Whether a server's words are about a model, not a path like `/models`. */
export function mentionsModel(said: string): boolean {
  return /(?<![/\w])models?\b/i.test(said);
}

function otherRefusal(
  status: number | undefined,
  said: string | undefined,
  ctx: RefusalContext,
  base: ConstructorParameters<typeof ModelError>[2],
  who: string,
  kept: string,
): ModelError {
  const words = said ?? '(no body)';
  if (ctx.moment !== 'response') {
    const what = ctx.moment === 'mid-answer' ? `reported an error in the middle of the answer from ${who}` : `refused the request for ${who}`;
    return new ModelError('http', `The model server at ${ctx.url} ${what}: ${words}.${kept}`, base);
  }
  if (status === 404) {
    // An error about a model means the endpoint exists; anything else (an HTML page,
    // FastAPI's "Not Found", llama.cpp's "File Not Found", "Cannot POST /models") means it does not.
    const aboutModel = said !== undefined && mentionsModel(said);
    const hint = aboutModel ? '' : ` ${missingV1Hint(ctx.url)}`;
    return new ModelError('not-found', `The model server at ${ctx.url} answered 404 Not Found for ${ctx.path} (${words}).${hint}`, base);
  }
  const advice =
    status === 401 || status === 403
      ? ` Check ${setting('api-key')}.`
      : status !== undefined && status >= 500
        ? ' The server failed; its own log says why.'
        : '';
  const code = status === undefined ? 'an error' : `HTTP ${status}`;
  return new ModelError('http', `The model server at ${ctx.url} answered ${code} for ${ctx.path}: ${words}.${advice}`, base);
}
