import type { ChatMessage } from '../llm/types.ts';

/** A chat request as the scripted server received it. */
export interface ScriptedRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  maxTokens?: number;
  temperature?: number;
}

/** One thing the scripted server does while answering. */
export type ScriptStep =
  | { type: 'content'; text: string }
  /** Sent as `reasoning_content`, as llama.cpp and LM Studio do. */
  | { type: 'reasoning'; text: string }
  /** Pacing for the demo; tests should gate on an event with `wait` instead. */
  | { type: 'delay'; ms: number }
  /** Holds the answer until the promise settles (or the client goes away). */
  | { type: 'wait'; until: Promise<unknown> }
  /** An SSE keep-alive comment line (`: ping`). */
  | { type: 'comment' }
  /** The last chunk with a finish reason, then `[DONE]`. A script that ends without one finishes with `stop`. */
  | { type: 'finish'; reason: 'stop' | 'length' }
  /** Destroys the socket mid-answer, as a crashing server does. */
  | { type: 'drop' }
  /** Ends the HTTP response cleanly but without a finish reason or `[DONE]`. */
  | { type: 'end' }
  /** Sends nothing more and keeps the socket open until the client leaves. */
  | { type: 'stall' }
  /** Answers with an HTTP error; after the stream has started, an SSE `error` event instead. */
  | { type: 'http-error'; status: number; body: unknown };

/** What a script knows about the request it answers. */
export interface ScriptContext {
  /** 0 for the first chat request this handler received, then 1, 2, … */
  requestIndex: number;
  /** Aborted when the client closes the connection or the server shuts down. */
  signal: AbortSignal;
}

/** Decides, step by step, how the scripted server answers one chat request. */
export type Script = (req: ScriptedRequest, ctx: ScriptContext) => Iterable<ScriptStep> | AsyncIterable<ScriptStep>;

/** Cuts text into `content` steps of `size` characters (code points, so no emoji is split). */
export function contentChunks(text: string, size: number): ScriptStep[] {
  if (!(size >= 1)) throw new RangeError(`contentChunks needs a size of at least 1, got ${size}`);
  const chars = Array.from(text);
  const steps: ScriptStep[] = [];
  for (let i = 0; i < chars.length; i += size) {
    steps.push({ type: 'content', text: chars.slice(i, i + size).join('') });
  }
  return steps;
}
