import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertNever } from '../util/assert-never.ts';
import { jsonWriter, sendJson, sseWriter } from './answer-writer.ts';
import type { AnswerWriter } from './answer-writer.ts';
import { ScriptedExchange } from './exchange.ts';
import type { Script, ScriptStep } from './script.ts';
import { errorObject, modelListObject, modelObject, parseChatRequest } from './wire.ts';

/** What a scripted endpoint serves and how it answers. */
export interface ModelHandlerOptions {
  /** The ids `GET /models` lists; a chat request for any other id gets a 404 like OpenAI's. */
  models: readonly string[];
  script: Script;
  /** Called for every chat request that reaches the script, before the script starts. */
  onRequest?: (exchange: ScriptedExchange) => void;
}

/** A node:http request handler; also mountable as express middleware. */
export type ModelHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * An OpenAI-compatible endpoint answering from a script: `GET /models`, `GET /models/ID`
 * and `POST /chat/completions`, relative to where it is mounted (express strips the mount
 * prefix, so `app.use('/demo/v1', handler)` serves `/demo/v1/chat/completions`).
 * Anything else goes to `next`, or gets a 404.
 */
export function createModelHandler(opts: ModelHandlerOptions): ModelHandler {
  const created = Math.floor(Date.now() / 1000);
  let requestCount = 0;
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/models') {
      sendJson(res, 200, modelListObject(opts.models, created));
    } else if (req.method === 'GET' && path.startsWith('/models/')) {
      const id = decodeURIComponent(path.slice('/models/'.length));
      if (opts.models.includes(id)) sendJson(res, 200, modelObject(id, created));
      else sendJson(res, 404, modelNotFound(id));
    } else if (req.method === 'POST' && path === '/chat/completions') {
      void serveChat(req, res, opts, () => requestCount++);
    } else if (next !== undefined) {
      next();
    } else {
      sendJson(res, 404, { error: `Unexpected endpoint or method. (${req.method ?? 'GET'} ${path})` });
    }
  };
}

function modelNotFound(model: string): object {
  return errorObject(`The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found', 'model');
}

async function serveChat(req: IncomingMessage, res: ServerResponse, opts: ModelHandlerOptions, nextIndex: () => number): Promise<void> {
  let body: unknown;
  try {
    body = await readJsonBody(req);
  } catch (error) {
    if (!res.destroyed) sendJson(res, 400, errorObject(`Could not read the request body: ${String(error)}`, 'invalid_request_error', null));
    return;
  }
  const parsed = parseChatRequest(body);
  if (typeof parsed === 'string') {
    sendJson(res, 400, errorObject(parsed, 'invalid_request_error', null));
    return;
  }
  const { request, includeUsage } = parsed;
  if (!opts.models.includes(request.model)) {
    sendJson(res, 404, modelNotFound(request.model));
    return;
  }

  const requestIndex = nextIndex();
  const exchange = new ScriptedExchange(request, requestIndex, req.headers.authorization);
  const abort = new AbortController();
  res.on('close', () => {
    exchange.settle(res.writableFinished ? 'completed' : 'client-closed');
    abort.abort();
  });
  opts.onRequest?.(exchange);

  const ctx = {
    res,
    exchange,
    who: { id: `chatcmpl-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model: request.model },
    promptChars: request.messages.reduce((n, m) => n + m.content.length, 0),
  };
  const writer = request.stream ? sseWriter(ctx, includeUsage) : jsonWriter(ctx);
  try {
    await play(opts.script(request, { requestIndex, signal: abort.signal }), writer, res, exchange, abort.signal);
  } catch (error) {
    exchange.settle('failed');
    if (res.headersSent) res.destroy();
    else sendJson(res, 500, errorObject(`The script failed: ${String(error)}`, 'server_error', null));
  }
}

async function play(
  steps: Iterable<ScriptStep> | AsyncIterable<ScriptStep>,
  writer: AnswerWriter,
  res: ServerResponse,
  exchange: ScriptedExchange,
  signal: AbortSignal,
): Promise<void> {
  // One listener for the whole answer: a script of many waits must not pile them up.
  const aborted = whenAborted(signal);
  for await (const step of steps) {
    if (signal.aborted) return;
    switch (step.type) {
      case 'content':
        writer.content(step.text);
        break;
      case 'reasoning':
        writer.reasoning(step.text);
        break;
      case 'comment':
        writer.comment();
        break;
      case 'delay':
        await sleep(step.ms, undefined, { signal }).catch(() => undefined);
        break;
      case 'wait':
        await Promise.race([step.until.catch(() => undefined), aborted]);
        break;
      case 'finish':
        writer.finish(step.reason);
        return;
      case 'drop':
        writer.start();
        exchange.settle('dropped');
        // Let what was written reach the client, then close without ending the body.
        res.socket?.destroySoon();
        return;
      case 'end':
        writer.end();
        return;
      case 'stall':
        await aborted;
        return;
      case 'http-error':
        writer.error(step.status, step.body);
        return;
      default:
        assertNever(step, 'script step');
    }
  }
  if (!signal.aborted) writer.finish('stop');
}

function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  // Under express, a body parser may already have read the stream.
  if (req.readableEnded && 'body' in req) return req.body;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('the request body is larger than 16 MB');
    chunks.push(buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
