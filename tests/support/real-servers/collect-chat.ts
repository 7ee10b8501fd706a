/**
 * The client's side of the chat fakes in tests: start a fake from route tables, read a
 * whole answer from `streamChat`, look at what came.
 */
import { ModelError, type ChatDelta } from '@duet/server';
import { startLoopback, type LoopbackServer, type Routes } from './loopback.ts';

/** A started fake and the OpenAI root (`…/v1`) a client is pointed at. */
export interface StartedChat {
  server: LoopbackServer;
  baseUrl: string;
}

/** Starts a fake from route tables (a chat side, and a listing side when the test needs one). */
export async function startChat(routes: Routes, onFinished: (fn: () => Promise<void>) => void): Promise<StartedChat> {
  const server = await startLoopback({ routes }, onFinished);
  return { server, baseUrl: `${server.origin}/v1` };
}

/** Everything a stream yielded, and the error that ended it, if one did. */
export interface Collected {
  deltas: ChatDelta[];
  error: unknown;
}

/** Reads a whole stream, keeping the deltas that arrived before any error. */
export async function collect(stream: AsyncIterable<ChatDelta>): Promise<Collected> {
  const deltas: ChatDelta[] = [];
  try {
    for await (const delta of stream) deltas.push(delta);
  } catch (error) {
    return { deltas, error };
  }
  return { deltas, error: undefined };
}

/** The text of one kind of delta, joined. */
export function textOf(deltas: readonly ChatDelta[], type: 'content' | 'reasoning'): string {
  return deltas.map((d) => (d.type === type ? d.text : '')).join('');
}

/** The deltas of one type, narrowed. */
export function deltasOf<T extends ChatDelta['type']>(deltas: readonly ChatDelta[], type: T): Extract<ChatDelta, { type: T }>[] {
  return deltas.filter((d): d is Extract<ChatDelta, { type: T }> => d.type === type);
}

/** The error a stream ended with, which must be a {@link ModelError}. */
export function modelError(collected: Collected): ModelError {
  if (!(collected.error instanceof ModelError)) throw new Error(`expected a ModelError, got ${String(collected.error)}`);
  return collected.error;
}

/** A promise and the function that settles it. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
