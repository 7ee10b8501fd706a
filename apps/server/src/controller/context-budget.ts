/**
 * Keeps every request inside the model's context window. A request is the system
 * prompt, the notebook so far (a follow-up), the user's request, the latest turns in
 * full and older ones folded into one-line summaries, then a closing message that
 * repeats the request. The answer's room (`max_tokens`) is set aside first. Then,
 * in order: older records fold (their summary lines never take more than a fifth of
 * the budget: the oldest lines go), relayed answers and reports are cut harder, and
 * only then do the latest two records fold.
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
  /** The last user message, when not the usual nudge; the request is repeated after it. */
  closing?: string;
  /** The model reasons before it answers: it gets more room for the answer. */
  reasoning?: boolean;
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
  /** Even folded and cut, the request leaves less than the least answer room: the window is too small for Duet's rules. */
  overBudget?: boolean;
}

/** The window assumed when neither the user nor the server says: small enough for every local default. */
export const DEFAULT_CONTEXT_WINDOW = 4096;

/**
 * Room for the answer: about a third of the window, at least 256 and at most 2048
 * tokens; a reasoning model thinks before it answers, so it gets up to half the
 * window and 8192 tokens.
 */
export function answerBudget(window: number, reasoning = false): number {
  if (window < 1024) return Math.max(64, Math.floor(window * 0.4));
  if (reasoning) return Math.min(8192, Math.max(256, Math.floor(window * 0.5)));
  return Math.min(2048, Math.max(256, Math.floor(window * 0.3)));
}

/** Tokens kept free beside the estimate, for the template's surprises and the estimate's error. */
function safetyMargin(window: number): number {
  return Math.min(1024, Math.max(32, Math.floor(window * 0.08)));
}

/** Caps on one relayed message, as shares of the prompt budget. */
const ANSWER_SHARE = 0.3;
const FEEDBACK_SHARE = 0.18;
/** The request is cut only past this share, and repeated at the end cut to a smaller one. */
const REQUEST_SHARE = 0.3;
const REPEAT_SHARE = 0.12;
/** The summary lines of folded records never take more than this share: the oldest go first. */
const SUMMARY_SHARE = 0.2;
/** The smallest answer room Duet will send when the rest does not fit. */
const MIN_ANSWER_TOKENS = 64;

/** Plans the messages of one request; see the module comment for the order of sacrifices. */
export function planRequest(input: BudgetInput): RequestPlan {
  const { estimator, window } = input;
  const maxTokens = answerBudget(window, input.reasoning);
  const budget = Math.max(64, Math.floor((window - maxTokens) * (input.tightness ?? 1)) - safetyMargin(window));
  // History and this run's turns fold as one list, oldest first; the request stands between them.
  const all = [...(input.history ?? []), ...input.turns];
  const request = fitText(input.request, estimator.chars(budget * REQUEST_SHARE));
  const summaryChars = estimator.chars(budget * SUMMARY_SHARE);
  const caps = (shrink: number): Caps => ({
    answer: estimator.chars((budget * ANSWER_SHARE) / 2 ** shrink),
    feedback: estimator.chars((budget * FEEDBACK_SHARE) / 2 ** shrink),
    summary: summaryChars,
  });
  const draft = (c: Caps, fullFrom: number): Draft => compose(input, request, c, fullFrom);
  const fits = (d: Draft): boolean => d.tokens <= budget;

  // The latest two records (the partner's turn and the model's own) stay in full while
  // older ones fold and the caps shrink; only then are they folded too.
  const keep = Math.min(2, all.length);
  for (const [from, to] of [
    [0, all.length - keep],
    [all.length - keep + 1, all.length],
  ] as const) {
    for (let shrink = 0; shrink < 4; shrink++) {
      const found = smallestFitting(from, to, (fullFrom) => draft(caps(shrink), fullFrom), fits);
      if (found !== null) return finish(found, maxTokens);
    }
  }
  // Everything folded, everything capped hard, the summary cut to its newest lines.
  const last = draft({ answer: estimator.chars(budget * 0.05), feedback: estimator.chars(budget * 0.05), summary: estimator.chars(budget * 0.05) }, all.length);
  if (fits(last)) return finish(last, maxTokens);
  // Still too long (a huge system prompt, a tiny window): the answer gives up room rather than overflow.
  const room = Math.floor((window - last.tokens - safetyMargin(window)) * (input.tightness ?? 1));
  return { ...finish(last, Math.max(MIN_ANSWER_TOKENS, Math.min(maxTokens, room))), overBudget: room < MIN_ANSWER_TOKENS };
}

/**
 * The draft with the smallest `fullFrom` in [from, to] that fits. Folding more
 * records makes a request shorter (a summary line stands for a whole turn), so a
 * binary search finds it in O(log n) drafts instead of n.
 */
function smallestFitting(from: number, to: number, make: (fullFrom: number) => Draft, fits: (d: Draft) => boolean): Draft | null {
  if (from > to) return null;
  const first = make(from);
  if (fits(first)) return first;
  const lastDraft = make(to);
  if (!fits(lastDraft)) return null;
  let lo = from;
  let hi = to;
  let best = lastDraft;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const d = make(mid);
    if (fits(d)) {
      hi = mid;
      best = d;
    } else {
      lo = mid;
    }
  }
  return best;
}

interface Caps {
  answer: number;
  feedback: number;
  /** Characters of summary lines at most. */
  summary: number;
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

/** One candidate request: of history and turns taken as one list, the records before `fullFrom` folded into summary lines. */
function compose(input: BudgetInput, request: string, caps: Caps, fullFrom: number): Draft {
  const { slot, estimator } = input;
  const history = input.history ?? [];
  const all = [...history, ...input.turns];
  const messages: ChatMessage[] = [];
  const push = (t: TurnRecord): void => {
    const text = cutToBudget(t.text, caps.answer);
    if (t.byUser) messages.push({ role: 'user', content: text });
    else if (t.slot === slot) messages.push({ role: 'assistant', content: text });
    else messages.push({ role: 'user', content: `Model ${t.slot} wrote:\n\n${text}` });
    if (t.feedback !== '') messages.push({ role: 'user', content: cutToBudget(t.feedback, caps.feedback) });
  };
  const foldedHistory = Math.min(fullFrom, history.length);
  const foldedTurns = Math.max(0, fullFrom - history.length);
  const [historySummary, turnSummary] = summaries(history.slice(0, foldedHistory), input.turns.slice(0, foldedTurns), caps.summary);

  if (input.foldSystem) messages.push({ role: 'user', content: input.system });
  else messages.push({ role: 'system', content: input.system });
  if (historySummary !== null) messages.push({ role: 'user', content: historySummary });
  for (const t of history.slice(foldedHistory)) push(t);
  messages.push({ role: 'user', content: requestMessage(request) });
  if (turnSummary !== null) messages.push({ role: 'user', content: turnSummary });
  for (const t of all.slice(Math.max(fullFrom, history.length))) push(t);
  const repeat = fitText(input.request, estimator.chars(REPEAT_SHARE * input.window));
  if (input.closing !== undefined) messages.push({ role: 'user', content: `${input.closing}\n\nThe user's request, again: ${repeat}` });
  else if (input.turns.length > 0) messages.push({ role: 'user', content: turnNudge(slot, repeat) });
  const merged = mergeConsecutive(messages);
  const summary = [historySummary, turnSummary].filter((x): x is string => x !== null).join('\n\n');
  return { messages: merged, tokens: estimator.messageTokens(merged), folded: Math.min(fullFrom, all.length), summary: summary === '' ? null : summary };
}

/**
 * The summary blocks of the folded history and the folded turns, within `chars`
 * together: the oldest lines go first (history before turns), and a line says how many.
 */
function summaries(history: readonly TurnRecord[], turns: readonly TurnRecord[], chars: number): [string | null, string | null] {
  const lines = [...history, ...turns].map((t) => `- ${t.summary ?? `Model ${t.slot} answered.`}`);
  let dropped = 0;
  let size = lines.reduce((n, l) => n + l.length + 1, 0);
  while (dropped < lines.length && size > chars) size -= (lines[dropped++] as string).length + 1;
  const block = (title: string, from: number, to: number): string | null => {
    if (to <= from) return null;
    const kept = lines.slice(Math.max(from, dropped), to);
    const gone = Math.max(0, Math.min(dropped, to) - from);
    const head = `${title} (details were left out to fit the context window):`;
    return [head, ...(gone > 0 ? [`- ${gone === 1 ? 'One earlier item' : `${gone} earlier items`} left out.`] : []), ...kept].join('\n');
  };
  return [block('Earlier in this notebook, in short', 0, history.length), block('Earlier turns, in short', history.length, lines.length)];
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
