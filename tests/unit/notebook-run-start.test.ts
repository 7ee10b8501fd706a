import type { RunState, ServerMessage } from '@duet/server/protocol';
import { describe, expect, it } from 'vitest';
import { NO_RUN_START, runStartAfter, runStartOnDisconnect, type RunStart } from '@duet/notebook';

const prompt = 'Write is_even(n).';
const run: RunState = { active: false, halted: null, passes: 0, required: 2, turn: 0, maxTurns: 4, streaming: null, producing: null, turnStartedAt: null, tokensPerSecond: null, error: null, waiting: null, context: { A: null, B: null } };

const starting: RunStart = { phase: 'starting', prompt };
const started: RunStart = { phase: 'started', prompt };
const refused: RunStart = { phase: 'refused', prompt, message: 'A run is already going on in this notebook; stop it first.' };

const runState = (active: boolean): ServerMessage => ({ type: 'event', seq: 2, event: { type: 'run-state', run: { ...run, active } } });
const error = (message: string, command?: string): ServerMessage => ({ type: 'error', seq: 2, message, ...(command === undefined ? {} : { command }) });

describe('a request on its way to becoming a run', () => {
  it.each<{ name: string; before: RunStart; message: ServerMessage; expected: RunStart }>([
    { name: 'starts when the run shows as active', before: starting, message: runState(true), expected: started },
    { name: 'keeps waiting on a run state that is not active', before: starting, message: runState(false), expected: starting },
    {
      name: 'is refused by an error for start-run, with the server’s message',
      before: starting,
      message: error('The model server at http://127.0.0.1:1/v1 does not answer.', 'start-run'),
      expected: { phase: 'refused', prompt, message: 'The model server at http://127.0.0.1:1/v1 does not answer.' },
    },
    {
      name: 'is refused even after another page’s run showed up first',
      before: started,
      message: error('A run is already going on in this notebook; stop it first.', 'start-run'),
      expected: refused,
    },
    { name: 'ignores errors for other commands', before: starting, message: error('There is no cell "x".', 'run-cell'), expected: starting },
    { name: 'ignores errors for no command', before: starting, message: error('Commands are JSON text messages.'), expected: starting },
    { name: 'ignores other events', before: starting, message: { type: 'event', seq: 2, event: { type: 'kernel-state', kernel: 'busy' } }, expected: starting },
    { name: 'stays started when a later run state comes', before: started, message: runState(false), expected: started },
    { name: 'stays refused until the next request', before: refused, message: runState(true), expected: refused },
    { name: 'is not touched when nothing was sent', before: NO_RUN_START, message: error('refused', 'start-run'), expected: NO_RUN_START },
  ])('$name', ({ before, message, expected }) => {
    expect(runStartAfter(before, message)).toEqual(expected);
  });

  it('returns the same object when a message does not concern it', () => {
    expect(runStartAfter(starting, runState(false))).toBe(starting);
    expect(runStartAfter(refused, runState(true))).toBe(refused);
  });

  it('keeps an unanswered request, and says so, when the connection drops', () => {
    const after = runStartOnDisconnect(starting);
    expect(after).toMatchObject({ phase: 'refused', prompt });
    expect(after.phase === 'refused' && after.message).toContain('send it again');
    expect(runStartOnDisconnect(started)).toBe(started);
    expect(runStartOnDisconnect(NO_RUN_START)).toBe(NO_RUN_START);
  });
});
