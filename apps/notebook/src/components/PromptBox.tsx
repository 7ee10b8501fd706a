/** Where a request is typed. Enter sends, Shift+Enter starts a new line. */
import { useState } from 'react';

interface PromptBoxProps {
  /** Why sending is not possible now, or null when it is. */
  blockedReason: string | null;
  /** Sends the prompt; returns false when it was not sent (the text is kept). */
  onSend(prompt: string): boolean;
}

/** The request box at the bottom of the page. */
export function PromptBox({ blockedReason, onSend }: PromptBoxProps) {
  const [text, setText] = useState('');
  const send = (): void => {
    if (blockedReason !== null || text.trim().length === 0) return;
    if (onSend(text.trim())) setText('');
  };
  return (
    <form
      className="prompt-box"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <textarea
        aria-label="Prompt"
        placeholder="Ask for something to build, e.g. “Write a function that checks whether a string is a palindrome.”"
        rows={2}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            send();
          }
        }}
      />
      <button type="submit" className="primary" disabled={blockedReason !== null || text.trim().length === 0} title={blockedReason ?? 'Send (Enter)'}>
        Send
      </button>
    </form>
  );
}
