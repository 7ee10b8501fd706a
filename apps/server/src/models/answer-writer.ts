import type { ServerResponse } from 'node:http';
import type { ScriptedExchange } from './exchange.ts';
import { chunkObject, completionObject, usageChunkObject } from './wire.ts';
import type { AnswerIdentity, WireDelta, WireUsage } from './wire.ts';

/** Writes one answer to the client, streamed or whole; the script runner drives it. */
export interface AnswerWriter {
  content(text: string): void;
  reasoning(text: string): void;
  /** A keep-alive comment; nothing for a non-streamed answer. */
  comment(): void;
  /** Ends the answer properly. */
  finish(reason: 'stop' | 'length'): void;
  /** Ends the HTTP response without finishing the answer. */
  end(): void;
  error(status: number, body: unknown): void;
  /** Makes sure the headers are out, so that a later drop happens mid-answer. */
  start(): void;
}

interface WriterContext {
  res: ServerResponse;
  who: AnswerIdentity;
  exchange: ScriptedExchange;
  promptChars: number;
}

function usage(ctx: WriterContext, completionTokens: number): WireUsage {
  const promptTokens = Math.ceil(ctx.promptChars / 4);
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Server-sent events exactly as OpenAI sends them: `data: {chunk}` lines, then `data: [DONE]`. */
export function sseWriter(ctx: WriterContext, includeUsage: boolean): AnswerWriter {
  const { res, who } = ctx;
  let started = false;
  let tokens = 0;
  const send = (payload: unknown): void => {
    res.write(`data: ${JSON.stringify(payload)}\n\n`);
  };
  const start = (): void => {
    if (started) return;
    started = true;
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    send(chunkObject(who, { role: 'assistant', content: '' }, null));
  };
  const delta = (d: WireDelta): void => {
    start();
    tokens++;
    send(chunkObject(who, d, null));
  };
  return {
    start,
    content(text) {
      delta({ content: text });
      ctx.exchange.sentContent += text;
    },
    reasoning(text) {
      delta({ reasoning_content: text });
    },
    comment() {
      start();
      res.write(': ping\n\n');
    },
    finish(reason) {
      start();
      send(chunkObject(who, {}, reason));
      if (includeUsage) send(usageChunkObject(who, usage(ctx, tokens)));
      res.end('data: [DONE]\n\n');
    },
    end() {
      start();
      res.end();
    },
    error(status, body) {
      if (!started) {
        sendJson(res, status, body);
        return;
      }
      // Servers that fail mid-stream report it as an event carrying an `error` object.
      const hasError = typeof body === 'object' && body !== null && 'error' in body;
      send(hasError ? body : { error: { message: String(body), type: 'server_error', code: status } });
      res.end();
    },
  };
}

/** A whole `chat.completion`, sent when the script finishes. */
export function jsonWriter(ctx: WriterContext): AnswerWriter {
  let content = '';
  let reasoning = '';
  let tokens = 0;
  return {
    start() {},
    content(text) {
      content += text;
      tokens++;
      ctx.exchange.sentContent += text;
    },
    reasoning(text) {
      reasoning += text;
      tokens++;
    },
    comment() {},
    finish(reason) {
      sendJson(ctx.res, 200, completionObject(ctx.who, content, reasoning, reason, usage(ctx, tokens)));
    },
    end() {
      ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
      ctx.res.end();
    },
    error(status, body) {
      sendJson(ctx.res, status, body);
    },
  };
}
