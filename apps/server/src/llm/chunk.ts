import type { ToolCallFragment } from './tool-calls.ts';
import type { ChatDelta, FinishReason } from './types.ts';

/** What one `chat.completion.chunk` contributes to an answer. */
export interface ChunkParts {
  /** Content and reasoning, in the order Duet yields them. */
  deltas: Extract<ChatDelta, { type: 'content' | 'reasoning' }>[];
  toolCalls: ToolCallFragment[];
  finish?: FinishReason;
  completionTokens?: number;
  promptTokens?: number;
  /**
   * Whether the chunk carried anything of the answer: text, a tool call, the finish or the
   * usage. The role-only first chunk and empty deltas do not.
   */
  carriesAnswer: boolean;
}

/**
 * Reads one streamed chunk (or a whole `chat.completion`, whose `message` reads like a
 * delta). Reasoning arrives in fields the OpenAI types do not know: `reasoning_content`
 * (llama.cpp, LM Studio, vLLM before 0.11, DeepSeek) or `reasoning` (Ollama ≥ 0.9, newer
 * vLLM, LM Studio for gpt-oss). Usage comes in a last chunk with `choices: []` when
 * `stream_options.include_usage` was asked, or in the finish chunk (older llama.cpp).
 */
export function readChunk(chunk: unknown): ChunkParts {
  const parts: ChunkParts = { deltas: [], toolCalls: [], carriesAnswer: false };
  if (!isObject(chunk)) return parts;
  if (isObject(chunk.usage)) {
    if (typeof chunk.usage.completion_tokens === 'number') parts.completionTokens = chunk.usage.completion_tokens;
    if (typeof chunk.usage.prompt_tokens === 'number') parts.promptTokens = chunk.usage.prompt_tokens;
  }
  const choice = Array.isArray(chunk.choices) ? (chunk.choices as unknown[])[0] : undefined;
  if (isObject(choice)) {
    const delta = isObject(choice.delta) ? choice.delta : isObject(choice.message) ? choice.message : undefined;
    if (delta !== undefined) {
      // Some servers send both fields with the same text; take one.
      const reasoning = nonEmpty(delta.reasoning_content) ?? nonEmpty(delta.reasoning);
      if (reasoning !== undefined) parts.deltas.push({ type: 'reasoning', text: reasoning });
      const content = nonEmpty(delta.content);
      if (content !== undefined) parts.deltas.push({ type: 'content', text: content });
      if (Array.isArray(delta.tool_calls)) parts.toolCalls = toolCallFragments(delta.tool_calls as unknown[]);
    }
    if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') {
      parts.finish = finishReason(choice.finish_reason);
    }
  }
  parts.carriesAnswer =
    parts.deltas.length > 0 ||
    parts.toolCalls.length > 0 ||
    parts.finish !== undefined ||
    parts.completionTokens !== undefined ||
    parts.promptTokens !== undefined;
  return parts;
}

function toolCallFragments(calls: unknown[]): ToolCallFragment[] {
  const fragments: ToolCallFragment[] = [];
  calls.forEach((call, position) => {
    if (!isObject(call)) return;
    const fn = isObject(call.function) ? call.function : {};
    const name = typeof fn.name === 'string' && fn.name !== '' ? fn.name : undefined;
    fragments.push({
      index: typeof call.index === 'number' ? call.index : position,
      ...(name === undefined ? {} : { name }),
      hasArguments: typeof fn.arguments === 'string' ? fn.arguments !== '' : isObject(fn.arguments),
    });
  });
  return fragments;
}

function finishReason(reason: string): FinishReason {
  if (reason === 'stop' || reason === 'length') return reason;
  if (reason === 'tool_calls' || reason === 'function_call') return 'tool-calls';
  return 'other';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
