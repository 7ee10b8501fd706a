import type { ChatDelta, FinishReason } from './types.ts';

/** What one `chat.completion.chunk` contributes to an answer. */
export interface ChunkParts {
  deltas: ChatDelta[];
  finish?: FinishReason;
  completionTokens?: number;
}

/**
 * Reads one streamed chunk. Reasoning arrives in fields the OpenAI types do not know:
 * `reasoning_content` (llama.cpp, LM Studio, vLLM, DeepSeek) or `reasoning` (Ollama,
 * OpenRouter); openai-node passes them through untouched.
 */
export function readChunk(chunk: unknown): ChunkParts {
  const parts: ChunkParts = { deltas: [] };
  if (!isObject(chunk)) return parts;
  if (isObject(chunk.usage) && typeof chunk.usage.completion_tokens === 'number') {
    parts.completionTokens = chunk.usage.completion_tokens;
  }
  const choice = Array.isArray(chunk.choices) ? (chunk.choices as unknown[])[0] : undefined;
  if (!isObject(choice)) return parts;
  const delta = choice.delta;
  if (isObject(delta)) {
    // Some servers send both fields with the same text; take one.
    const reasoning = nonEmpty(delta.reasoning_content) ?? nonEmpty(delta.reasoning);
    if (reasoning !== undefined) parts.deltas.push({ type: 'reasoning', text: reasoning });
    const content = nonEmpty(delta.content);
    if (content !== undefined) parts.deltas.push({ type: 'content', text: content });
  }
  if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') {
    parts.finish = finishReason(choice.finish_reason);
  }
  return parts;
}

function finishReason(reason: string): FinishReason {
  if (reason === 'stop' || reason === 'length') return reason;
  return 'other';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
