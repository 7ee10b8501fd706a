/**
 * Counts tokens without the model's tokenizer: characters divided by a ratio that
 * starts cautious and learns from what the server reports (`usage.prompt_tokens`).
 * Local servers ship many tokenizers and none is cheap to load here, while every
 * one of them reports prompt tokens on the answer, so one measured request is
 * enough to calibrate the next.
 */
import type { ChatMessage } from '../llm/index.ts';

/** Characters per token before anything was measured: English sits near 4 under common tokenizers and dense code near 2.9, so 2.5 overestimates both. */
export const INITIAL_CHARS_PER_TOKEN = 2.5;
/** What a chat template adds around each message (role tags, separators). */
export const MESSAGE_OVERHEAD_TOKENS = 6;
/** The assistant prefix a template appends after the last message. */
const PRIMING_TOKENS = 4;
/**
 * Measured ratios are trusted only within these bounds. The upper one is low on
 * purpose: a first request of English rules measures near 3.9, and the code that
 * follows costs near 2.9, so a ratio learnt from prose would let the next request
 * overflow. Dense text (CJK on small vocabularies) may go below 1.
 */
const MIN_RATIO = 0.8;
const MAX_RATIO = 3;
/** Once measured, the estimate still keeps under the measured ratio, since the next request holds other text. */
const MEASURED_CAUTION = 0.9;

export class TokenEstimator {
  #ratio = INITIAL_CHARS_PER_TOKEN;
  #samples = 0;

  /** Characters per token in use now. */
  get charsPerToken(): number {
    return this.#ratio;
  }

  /** True once a server's count has calibrated the ratio. */
  get measured(): boolean {
    return this.#samples > 0;
  }

  /** Tokens of one text, rounded up. */
  tokens(text: string): number {
    return Math.ceil(text.length / this.#ratio);
  }

  /** Tokens of a whole request, template overhead included. */
  messageTokens(messages: readonly ChatMessage[]): number {
    let total = PRIMING_TOKENS;
    for (const m of messages) total += this.tokens(m.content) + MESSAGE_OVERHEAD_TOKENS;
    return total;
  }

  /** How many characters fit in `tokens`. */
  chars(tokens: number): number {
    return Math.max(0, Math.floor(tokens * this.#ratio));
  }

  /**
   * Learns from a request the server counted. The first measurement replaces the
   * cautious start; later ones are averaged in, so one odd answer does not swing it.
   */
  learn(messages: readonly ChatMessage[], promptTokens: number): void {
    const overhead = PRIMING_TOKENS + messages.length * MESSAGE_OVERHEAD_TOKENS;
    const textTokens = promptTokens - overhead;
    const chars = messages.reduce((n, m) => n + m.content.length, 0);
    if (!(textTokens > 0) || chars === 0) return;
    const observed = Math.min(MAX_RATIO, Math.max(MIN_RATIO, (chars / textTokens) * MEASURED_CAUTION));
    // The denser of the last two measurements: a shift from prose to code must not catch the estimate out.
    this.#ratio = this.#samples === 0 ? observed : Math.min(observed, (this.#ratio + observed) / 2);
    this.#samples += 1;
  }

  /**
   * Learns from an overflow the server reported with its count: the ratio can only
   * go down (more tokens per character than we thought).
   */
  learnOverflow(messages: readonly ChatMessage[], promptTokens: number): void {
    const before = this.#ratio;
    this.learn(messages, promptTokens);
    this.#ratio = Math.min(before, this.#ratio);
  }
}
