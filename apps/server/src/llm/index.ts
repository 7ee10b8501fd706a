export type { ChatMessage, ChatDelta, FinishReason, StreamChatOptions } from './types.ts';
export { DEFAULT_IDLE_TIMEOUT_MS } from './types.ts';
export { streamChat } from './stream-chat.ts';
export { listModels } from './list-models.ts';
export { ModelError, displayUrl, redactKey } from './errors.ts';
export type { ModelErrorKind } from './errors.ts';
export { mergeConsecutive } from './merge.ts';
