import type { ChatMessage } from './types.ts';

/**
 * Merges runs of messages with the same role into one, their texts separated by a blank
 * line. Many chat templates (Mistral, Gemma, Llama 2) refuse two messages of one role in a row.
 */
export function mergeConsecutive(messages: readonly ChatMessage[]): ChatMessage[] {
  const merged: ChatMessage[] = [];
  for (const message of messages) {
    const last = merged.at(-1);
    if (last !== undefined && last.role === message.role) {
      last.content = last.content === '' ? message.content : message.content === '' ? last.content : `${last.content}\n\n${message.content}`;
    } else {
      merged.push({ role: message.role, content: message.content });
    }
  }
  return merged;
}
