import type { ChatMessage } from '../llm/types.ts';
import type { ScriptedRequest } from './script.ts';

/** The ids and timestamps one answer shares across its chunks. */
export interface AnswerIdentity {
  id: string;
  created: number;
  model: string;
}

/** The delta of one `chat.completion.chunk`; `reasoning_content` is the llama.cpp / LM Studio extension. */
export interface WireDelta {
  role?: 'assistant';
  content?: string;
  reasoning_content?: string;
}

/** Token counts as OpenAI reports them. */
export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** One `chat.completion.chunk` object, as OpenAI streams it. */
export function chunkObject(who: AnswerIdentity, delta: WireDelta, finishReason: string | null): object {
  return {
    id: who.id,
    object: 'chat.completion.chunk',
    created: who.created,
    model: who.model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

/** The trailing usage chunk sent when the client asked for `stream_options.include_usage`. */
export function usageChunkObject(who: AnswerIdentity, usage: WireUsage): object {
  return { id: who.id, object: 'chat.completion.chunk', created: who.created, model: who.model, system_fingerprint: null, choices: [], usage };
}

/** A whole non-streamed `chat.completion`. */
export function completionObject(who: AnswerIdentity, content: string, reasoning: string, finishReason: string, usage: WireUsage): object {
  const message = reasoning === '' ? { role: 'assistant', content } : { role: 'assistant', content, reasoning_content: reasoning };
  return {
    id: who.id,
    object: 'chat.completion',
    created: who.created,
    model: who.model,
    system_fingerprint: null,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    usage,
  };
}

/** The body of `GET /models`. */
export function modelListObject(models: readonly string[], created: number): object {
  return { object: 'list', data: models.map((id) => modelObject(id, created)) };
}

/** One entry of the model list. */
export function modelObject(id: string, created: number): object {
  return { id, object: 'model', created, owned_by: 'duet' };
}

/** An OpenAI-style error body. */
export function errorObject(message: string, type: string, code: string | null, param: string | null = null): object {
  return { error: { message, type, param, code } };
}

/** A parsed chat request, plus whether the client wants the usage chunk. */
export interface ParsedChatRequest {
  request: ScriptedRequest;
  includeUsage: boolean;
}

/** Reads a chat completion request body; returns a message for the 400 answer when it is malformed. */
export function parseChatRequest(body: unknown): ParsedChatRequest | string {
  if (!isRecord(body)) return 'The request body must be a JSON object.';
  if (typeof body.model !== 'string' || body.model === '') return 'you must provide a model parameter';
  if (!Array.isArray(body.messages)) return "'messages' must be an array";
  const messages: ChatMessage[] = [];
  for (const entry of body.messages as unknown[]) {
    if (!isRecord(entry)) return 'each message must be an object';
    const role = entry.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'developer') {
      return `unsupported message role: ${String(role)}`;
    }
    const content = messageText(entry.content);
    if (content === undefined) return 'message content must be a string or an array of text parts';
    messages.push({ role: role === 'developer' ? 'system' : role, content });
  }
  const request: ScriptedRequest = { model: body.model, messages, stream: body.stream === true };
  const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : body.max_completion_tokens;
  if (typeof maxTokens === 'number') request.maxTokens = maxTokens;
  if (typeof body.temperature === 'number') request.temperature = body.temperature;
  const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
  return { request, includeUsage };
}

function messageText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (content === null) return '';
  if (!Array.isArray(content)) return undefined;
  let text = '';
  for (const part of content as unknown[]) {
    if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') text += part.text;
  }
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
