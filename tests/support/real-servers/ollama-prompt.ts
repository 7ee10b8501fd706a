/**
 * What Ollama does with a `/v1/chat/completions` request's messages before the model
 * sees them, for the Ollama fake: render them with the model's template, count the
 * tokens with a real tokenizer, and — when the prompt is larger than `num_ctx` — drop
 * whole messages from the front, keeping the system messages and the last message
 * (ollama/ollama server/prompt.go `chatPrompt`, 0.5 to 0.11; Ollama #4967, PR #11189).
 * Nothing tells the client: only `usage.prompt_tokens`, which counts what was kept.
 *
 * The count renders Llama 3's template (`<|begin_of_text|>`, then per message
 * `<|start_header_id|>ROLE<|end_header_id|>\n\nCONTENT<|eot_id|>`, then the assistant
 * header), each special token counted as one token and the text with `gpt-tokenizer`,
 * whose BPE vocabulary is a close relative of Llama 3's (both tiktoken-style, ~100k+).
 */
import { encode } from 'gpt-tokenizer';
import type { ChatRequestSeen } from './scripted-chat.ts';

/** One chat message as a request carries it. */
export interface PromptMessage {
  role: string;
  content: unknown;
}

/** What the fake Ollama made of one request. */
export interface OllamaPromptSeen {
  /** Tokens of the whole request, rendered, before any truncation. */
  fullTokens: number;
  /** Tokens of the prompt the model got: what `usage.prompt_tokens` reports. */
  promptTokens: number;
  /** The messages the model got, in order. */
  kept: PromptMessage[];
  /** How many of the request's messages Ollama dropped to fit `num_ctx`. */
  dropped: number;
  /** The request's `max_tokens`, if it set one. */
  maxTokens: number | undefined;
}

/** The text of a message's content (strings, or the text parts of a content array). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p) => (typeof p === 'object' && p !== null && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('');
  }
  return '';
}

/** Tokens of the messages rendered with Llama 3's chat template, generation prompt included. */
export function llama3PromptTokens(messages: readonly PromptMessage[]): number {
  // <|begin_of_text|>, and at the end <|start_header_id|>assistant<|end_header_id|>\n\n.
  let tokens = 1 + 2 + encode('assistant').length + encode('\n\n').length;
  for (const m of messages) {
    // <|start_header_id|> ROLE <|end_header_id|> "\n\n" CONTENT <|eot_id|>
    tokens += 3 + encode(m.role).length + encode(`\n\n${contentText(m.content)}`).length;
  }
  return tokens;
}

/**
 * Ollama's prompt window for one model: every request goes through {@link take}, which
 * returns what the model got, and {@link seen} keeps them all for the test to inspect.
 */
export class OllamaPromptWindow {
  readonly seen: OllamaPromptSeen[] = [];

  constructor(
    /** `num_ctx`: 4096 from Ollama 0.6.7 to 0.15.4 unless the Modelfile or OLLAMA_CONTEXT_LENGTH says otherwise. */
    readonly numCtx: number,
    readonly countTokens: (messages: readonly PromptMessage[]) => number = llama3PromptTokens,
  ) {}

  /** True when any request lost messages to the window. */
  get truncated(): boolean {
    return this.seen.some((s) => s.dropped > 0);
  }

  /** Renders, counts and (if it must) truncates one request, as `chatPrompt` does. */
  take(req: ChatRequestSeen): OllamaPromptSeen {
    const msgs = req.messages;
    const fullTokens = this.countTokens(msgs);
    let n = msgs.length - 1;
    let system: PromptMessage[] = [];
    // In reverse, the longest tail that fits with the system messages before it; the last message always goes.
    for (let i = n - 1; i >= 0; i--) {
      system = msgs.slice(0, i).filter((m) => m.role === 'system');
      if (this.countTokens([...system, ...msgs.slice(i)]) > this.numCtx) break;
      n = i;
    }
    // As in prompt.go, `system` is what the last pass computed (empty when nothing was cut).
    const whole = n <= 0;
    const kept = whole ? [...msgs] : [...system, ...msgs.slice(n)];
    const seen: OllamaPromptSeen = {
      fullTokens,
      promptTokens: whole ? fullTokens : this.countTokens(kept),
      kept,
      dropped: msgs.length - kept.length,
      maxTokens: req.maxTokens,
    };
    this.seen.push(seen);
    return seen;
  }
}
