/**
 * Keeps every request inside the model's context window. A request is the system
 * prompt, the user's request, the latest turns in full and older turns folded into
 * one-line summaries, then a closing message that repeats the request. Relayed
 * answers and execution reports are capped; when that is still too much, more turns
 * are folded, the caps shrink, and the oldest summaries go, in that order. The
 * answer's own room (`max_tokens`) is set aside first.
 */
import { mergeConsecutive, type ChatMessage } from '../llm/index.ts';
import type { ModelSlot } from '../protocol/notebook.ts';
import { cutToBudget } from './feedback.ts';
import { requestMessage, systemPrompt, turnNudge, type TurnRecord } from './prompts.ts';
import { TokenEstimator } from './token-estimator.ts';

export interface BudgetInput {
  slot: ModelSlot;
  system: string;
  request: string;
  /** What came before the request: the notebook's earlier cells and requests (a follow-up), oldest first. */
  history?: readonly TurnRecord[];
  turns: readonly TurnRecord[];
  /** The model's context window, tokens. */
  window: number;
  estimator: TokenEstimator;
  /** Below 1 after the server said a request overflowed: plan for less than the window. */
  tightness?: number;
  /** The template rejects the `system` role: send the rules as the start of the first user message. */
  foldSystem?: boolean;
  /** The last user message, when not the usual nudge (a correction after a slip). */
  closing?: string;
}

/** A request that fits, and what was given up to fit it. */
export interface RequestPlan {
  messages: ChatMessage[];
  /** The answer's room, sent as `max_tokens`. */
  maxTokens: number;
  /** Duet's estimate of the request's prompt tokens. */
  estimatedTokens: number;
  /** Turns given as a one-line summary instead of in full. */
  folded: number;
  /** The summary text the model sees in their place, or null. */
  summary: string | null;
}

/** The window assumed when neither the user nor the server says: small enough for every local default. */
export const DEFAULT_CONTEXT_WINDOW = 4096;

/** Room for the answer: about a third of the window, at least 256 and at most 2048 tokens. */
export function answerBudget(window: number): number {
  if (window < 1024) return Math.max(64, Math.floor(window * 0.4));
  return Math.min(2048, Math.max(256, Math.floor(window * 0.3)));
}

/** Tokens kept free beside the estimate, for the template's surprises. */
function safetyMargin(window: number): number {
  return Math.min(256, Math.max(32, Math.floor(window * 0.04)));
}

/** Caps on one relayed message, as shares of the prompt budget. */
const ANSWER_SHARE = 0.3;
const FEEDBACK_SHARE = 0.18;
/** The request is cut only past this share, and repeated at the end cut to a smaller one. */
const REQUEST_SHARE = 0.3;
const REPEAT_SHARE = 0.12;

/** Plans the messages of one request; see the module comment for the order of sacrifices. */
export function planRequest(input: BudgetInput): RequestPlan {
  const { estimator, window } = input;
  const maxTokens = answerBudget(window);
  const budget = Math.max(64, Math.floor((window - maxTokens) * (input.tightness ?? 1)) - safetyMargin(window));
  // History and this run's turns fold as one list, oldest first; the request stands between them.
  const all = [...(input.history ?? []), ...input.turns];

  const request = fitText(input.request, estimator.chars(budget * REQUEST_SHARE));
  let best: Draft | null = null;
  const caps = (shrink: number): { answer: number; feedback: number } => ({
    answer: estimator.chars((budget * ANSWER_SHARE) / 2 ** shrink),
    feedback: estimator.chars((budget * FEEDBACK_SHARE) / 2 ** shrink),
  });
  // The latest two records (the partner's turn and the model's own) stay in full while
  // older ones fold and the caps shrink; only then are they folded too.
  const keep = Math.min(2, all.length);
  for (const [from, to] of [
    [0, all.length - keep],
    [all.length - keep + 1, all.length],
  ] as const) {
    for (let shrink = 0; shrink < 4; shrink++) {
      for (let fullFrom = from; fullFrom <= to; fullFrom++) {
        const draft = compose(input, request, caps(shrink), fullFrom, 0);
        best = draft;
        if (draft.tokens <= budget) return finish(draft, maxTokens);
      }
    }
  }
  // Everything folded and capped and still too long: drop the oldest summary lines.
  const smallest = { answer: estimator.chars(budget * 0.05), feedback: estimator.chars(budget * 0.05) };
  for (let dropped = 1; dropped <= all.length; dropped++) {
    const draft = compose(input, request, smallest, all.length, dropped);
    best = draft;
    if (draft.tokens <= budget) return finish(draft, maxTokens);
  }
  return finish(best ?? compose(input, request, smallest, all.length, all.length), maxTokens);
}

interface Draft {
  messages: ChatMessage[];
  tokens: number;
  folded: number;
  summary: string | null;
}

function finish(draft: Draft, maxTokens: number): RequestPlan {
  return { messages: draft.messages, maxTokens, estimatedTokens: draft.tokens, folded: draft.folded, summary: draft.summary };
}

/**
 * One candidate request: of history and turns taken as one list, the records before
 * `fullFrom` folded into summary lines, the first `dropped` of those left out entirely.
 */
function compose(input: BudgetInput, request: string, caps: { answer: number; feedback: number }, fullFrom: number, dropped: number): Draft {
  const { slot, estimator } = input;
  const history = input.history ?? [];
  const all = [...history, ...input.turns];
  const messages: ChatMessage[] = [];
  const first = requestMessage(request);
  const push = (t: TurnRecord): void => {
    const text = cutToBudget(t.text, caps.answer);
    if (t.byUser) messages.push({ role: 'user', content: text });
    else if (t.slot === slot) messages.push({ role: 'assistant', content: text });
    else messages.push({ role: 'user', content: `Model ${t.slot} wrote:\n\n${text}` });
    if (t.feedback !== '') messages.push({ role: 'user', content: cutToBudget(t.feedback, caps.feedback) });
  };
  const foldedHistory = Math.min(fullFrom, history.length);
  const droppedHistory = Math.min(dropped, foldedHistory);
  const historySummary = summaryText(history.slice(0, foldedHistory), droppedHistory, 'Earlier in this notebook, in short');
  const turnSummary = summaryText(input.turns.slice(0, Math.max(0, fullFrom - history.length)), dropped - droppedHistory, 'Earlier turns, in short');

  if (input.foldSystem) messages.push({ role: 'user', content: input.system });
  else messages.push({ role: 'system', content: input.system });
  if (historySummary !== null) messages.push({ role: 'user', content: historySummary });
  for (const t of history.slice(foldedHistory)) push(t);
  messages.push({ role: 'user', content: first });
  if (turnSummary !== null) messages.push({ role: 'user', content: turnSummary });
  for (const t of all.slice(Math.max(fullFrom, history.length))) push(t);
  if (input.closing !== undefined) {
    if (input.closing !== '') messages.push({ role: 'user', content: input.closing });
  } else if (input.turns.length > 0) {
    messages.push({ role: 'user', content: turnNudge(slot, fitText(input.request, estimator.chars(REPEAT_SHARE * input.window))) });
  }
  const merged = mergeConsecutive(messages);
  const summary = [historySummary, turnSummary].filter((x): x is string => x !== null).join('\n\n');
  return { messages: merged, tokens: estimator.messageTokens(merged), folded: Math.min(fullFrom, all.length), summary: summary === '' ? null : summary };
}

/** The lines that stand for folded turns; the first `dropped` are left out and counted. */
function summaryText(folded: readonly TurnRecord[], dropped: number, title: string): string | null {
  if (folded.length === 0) return null;
  const lines = [`${title} (details were left out to fit the context window):`];
  if (dropped > 0) lines.push(`- ${dropped === 1 ? 'One earlier item' : `${dropped} earlier items`} left out.`);
  for (const t of folded.slice(dropped)) lines.push(`- ${t.summary ?? `Model ${t.slot} answered.`}`);
  return lines.join('\n');
}

/** The text, or its head and tail within `chars`. */
function fitText(text: string, chars: number): string {
  return text.length <= chars ? text : cutToBudget(text, Math.max(80, chars));
}

/**
 * The messages for `slot`'s next turn with nothing left out: every turn in full.
 * The controller plans its requests with {@link planRequest} instead, which keeps
 * them inside the model's context window.
 */
export function buildMessages(slot: ModelSlot, prompt: string, required: number, turns: readonly TurnRecord[]): ChatMessage[] {
  return planRequest({
    slot,
    system: systemPrompt({ slot, required }),
    request: prompt,
    turns,
    window: Number.MAX_SAFE_INTEGER,
    estimator: new TokenEstimator(),
  }).messages;
}
