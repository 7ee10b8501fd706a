/**
 * Bounds on one answer, whatever `max_tokens` said, checked as each delta arrives.
 */
/** The most one answer may be, whatever `max_tokens` said: a server that ignores it must not fill the server's memory. */
export interface AnswerLimits {
  chars: number;
  ms: number;
}

/** 1 MiB of text (some 250,000 tokens, far past any local window) or 30 minutes from the first token. */
export const ANSWER_LIMITS: AnswerLimits = { chars: 1024 * 1024, ms: 30 * 60_000 };

/** Why an answer must stop, or null. */
export function answerOverLimit(chars: number, firstTokenAt: number, limits: AnswerLimits): string | null {
  if (chars > limits.chars) return `passed ${Math.round(limits.chars / 1024)} KiB`;
  if (firstTokenAt !== 0 && Date.now() - firstTokenAt > limits.ms) return `went on for more than ${Math.round(limits.ms / 60_000)} minutes`;
  return null;
}
