/**
 * Where a request is typed, with the run settings and the person's instructions
 * for each model above it. Enter sends, Shift+Enter starts a new line. While a
 * run goes, Send becomes Stop, and Esc in the box stops it too. The text stays
 * until the server shows the run going, so a refused run loses nothing. The box
 * takes the focus when the notebook opens: typing a request is the first thing
 * to do.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { RunStart } from '../state/run-start.ts';
import type { RunInstructions } from '../util/run-settings.ts';
import { Instructions } from './Instructions.tsx';

interface PromptBoxProps {
  /** Why sending is not possible now, or null when it is. */
  blockedReason: string | null;
  /** The last request sent from this page. */
  runStart: RunStart;
  /** Sends the prompt; returns false when it was not sent (the text is kept). */
  onSend(prompt: string): boolean;
  /** What Send adds for each model; kept in the notebook like the other run settings. */
  instructions: RunInstructions;
  onInstructions(next: RunInstructions): void;
  /** True while a run this page can stop is going: Send becomes Stop. */
  stoppable: boolean;
  onStop(): void;
  /** The run settings, drawn above the box. */
  settings: ReactNode;
  /** What to offer once a run has ended (Continue, Retry), above the settings. */
  resume: ReactNode;
}

/** The request box at the bottom of the page. */
export function PromptBox({ blockedReason, runStart, onSend, instructions, onInstructions, stoppable, onStop, settings, resume }: PromptBoxProps) {
  const [text, setText] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => box.current?.focus({ preventScroll: true }), []);
  // Adjusted while rendering, not in an effect: no frame may show the sent text with Send enabled again.
  const [seen, setSeen] = useState(runStart);
  if (seen !== runStart) {
    setSeen(runStart);
    if (runStart.phase === 'started' && text.trim() === runStart.prompt) setText('');
    // A refusal that arrives after the text was let go (another page's run showed up first) brings it back.
    if (runStart.phase === 'refused' && text.trim() === '') setText(runStart.prompt);
  }
  const starting = runStart.phase === 'starting';

  const blocked = starting ? 'Starting the run…' : blockedReason;
  const send = (): void => {
    if (blocked !== null || text.trim().length === 0) return;
    onSend(text.trim());
  };
  return (
    <form
      className="prompt-box"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {runStart.phase === 'refused' && (
        <p className="prompt-refused" role="alert" data-testid="run-refused">
          The run did not start: {runStart.message} Your request is kept below; change it or press Send to try again.
        </p>
      )}
      {resume}
      <div className="prompt-settings">
        {settings}
        <Instructions instructions={instructions} onChange={onInstructions} />
      </div>
      <div className="prompt-row">
        <textarea
          ref={box}
          aria-label="Prompt"
          placeholder="Ask for something to build, e.g. “Write a function that checks whether a string is a palindrome.”"
          rows={2}
          value={text}
          readOnly={starting}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              send();
            } else if (e.key === 'Escape' && stoppable) {
              e.preventDefault();
              onStop();
            }
          }}
        />
        {starting && (
          <span className="prompt-starting" role="status">
            Starting…
          </span>
        )}
        {stoppable ? (
          <button type="button" className="stop" title="Stop generation (Esc)" onClick={onStop}>
            Stop
          </button>
        ) : (
          <button type="submit" className="primary" disabled={blocked !== null || text.trim().length === 0} title={blocked ?? 'Send (Enter)'}>
            Send
          </button>
        )}
      </div>
    </form>
  );
}
