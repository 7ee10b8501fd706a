/**
 * A request on its way to becoming a run. The prompt box keeps the text until
 * the server shows the run going (`run.active`), so a refused run (model server
 * unreachable, a run already going) loses nothing, and Send cannot be pressed
 * twice for one request.
 */
import type { ServerMessage } from '@duet/server/protocol';
import { assertNever } from '../util/assert-never.ts';

/** Where the last request sent from this page stands. */
export type RunStart =
  | { phase: 'idle' }
  /** `start-run` sent; no answer yet. */
  | { phase: 'starting'; prompt: string }
  /** The server shows the run going; the prompt box may let go of the text. */
  | { phase: 'started'; prompt: string }
  /** The server refused it, or the connection dropped before it answered. */
  | { phase: 'refused'; prompt: string; message: string };

/** Nothing sent yet. */
export const NO_RUN_START: RunStart = { phase: 'idle' };

/**
 * The run start after a server message; the same object when the message does
 * not concern it. Errors go to this connection only, so a `start-run` error is
 * the answer to the request this page sent, even when another page's run
 * happened to show up in between (then the text comes back).
 */
export function runStartAfter(start: RunStart, message: ServerMessage): RunStart {
  switch (start.phase) {
    case 'idle':
    case 'refused':
      return start;
    case 'starting':
    case 'started':
      if (message.type === 'error' && message.command === 'start-run') return { phase: 'refused', prompt: start.prompt, message: message.message };
      if (start.phase === 'starting' && message.type === 'event' && message.event.type === 'run-state' && message.event.run.active) {
        return { phase: 'started', prompt: start.prompt };
      }
      return start;
    default:
      return assertNever(start, 'run start');
  }
}

/** The run start after the connection dropped: an unanswered request may or may not have started. */
export function runStartOnDisconnect(start: RunStart): RunStart {
  if (start.phase !== 'starting') return start;
  return {
    phase: 'refused',
    prompt: start.prompt,
    message: 'The connection to the Duet server dropped before it confirmed the run. If the notebook does not show your request once it reconnects, send it again.',
  };
}
