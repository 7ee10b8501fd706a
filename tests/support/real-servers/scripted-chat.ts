/**
 * What the four chat fakes (llama.cpp, LM Studio, Ollama, vLLM) share: the script that
 * decides, request by request, what the fake does; the steps every server understands;
 * and the loop that plays them through a server's own wire format (its "dialect").
 * The fakes only stream: Duet always asks for a stream.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertNever } from '@duet/kernel';
import { whenAborted, type RouteContext, type RouteHandler } from './loopback.ts';

/** A chat request as a fake received it. */
export interface ChatRequestSeen {
  model: string;
  messages: { role: string; content: unknown }[];
  /** Whether `stream_options.include_usage` was asked: then a last chunk with `choices: []` carries the usage. */
  includeUsage: boolean;
  maxTokens?: number;
  /** The whole parsed body. */
  body: Readonly<Record<string, unknown>>;
}

/** What a script knows about the request it answers. */
export interface ChatScriptContext {
  /** 0 for the first chat request this route table received, then 1, 2, … */
  requestIndex: number;
  /** Aborted when the client closes the connection or the server shuts down. */
  signal: AbortSignal;
}

/** Decides, step by step, how a fake answers one chat request. */
export type ChatScript<Step> = (req: ChatRequestSeen, ctx: ChatScriptContext) => Iterable<Step> | AsyncIterable<Step>;

/** One entry of `delta.tool_calls`, as raw as servers send it: the name and arguments may come in pieces. */
export interface ToolCallStep {
  type: 'tool-call';
  index?: number;
  /** Sent with the call's first piece. */
  id?: string;
  name?: string;
  arguments?: string;
}

/** Steps every server's fake understands. */
export type CommonStep =
  | { type: 'content'; text: string }
  /** In the field the server uses for reasoning (`reasoning_content` or `reasoning`). */
  | { type: 'reasoning'; text: string }
  | ToolCallStep
  /**
   * The last chunk with a finish reason, the usage chunk when asked, then `data: [DONE]`.
   * `promptTokens` is what the server reports (default: a quarter of the prompt's characters).
   * A script that ends without one finishes with `stop`.
   */
  | { type: 'finish'; reason: 'stop' | 'length' | 'tool_calls'; promptTokens?: number }
  /** The server's own slowness (a long prompt, a busy machine); tests gate on events with `wait`. */
  | { type: 'delay'; ms: number }
  /** Holds the answer until the promise settles (or the client goes away). */
  | { type: 'wait'; until: Promise<unknown> }
  /** Destroys the socket mid-answer, as a crashing server does. */
  | { type: 'drop' }
  /** Ends the HTTP response cleanly but without a finish reason or `[DONE]`. */
  | { type: 'end' }
  /** Sends nothing more and keeps the socket open until the client leaves. */
  | { type: 'stall' };

const COMMON_STEPS: ReadonlySet<string> = new Set(['content', 'reasoning', 'tool-call', 'finish', 'delay', 'wait', 'drop', 'end', 'stall']);

/** The answer a fake is writing: the ids its chunks share and the counts its usage reports. */
export interface AnswerSoFar {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  readonly includeUsage: boolean;
  /** One per content, reasoning or tool-call step sent. */
  completionTokens: number;
  /** Whether the chunks that come before the first token were sent. */
  opened: boolean;
}

/** How one server writes the chunks of an answer. */
export interface ChatDialect {
  /** The response headers of its event stream. */
  headers: OutgoingHttpHeaders;
  /** A fresh `id` for an answer. */
  newId(): string;
  /** Chunks sent before the first token's: llama.cpp and vLLM send one with the role only. */
  opening(a: AnswerSoFar): unknown[];
  /** The chunk of one piece of text; `first` when no token was sent yet. */
  text(a: AnswerSoFar, field: 'content' | 'reasoning', text: string, first: boolean): unknown;
  /** The chunk of one tool-call piece. */
  toolCall(a: AnswerSoFar, step: ToolCallStep, first: boolean): unknown;
  /** The finish chunk, then the usage chunk when it was asked for. */
  closing(a: AnswerSoFar, reason: string, usage: { promptTokens: number; completionTokens: number }): unknown[];
}

/** What a server-specific step may use. */
export interface StepIO {
  ctx: RouteContext;
  req: ChatRequestSeen;
  stream: EventStream;
  answer: AnswerSoFar;
  dialect: ChatDialect;
  /** Resolves when the client leaves. */
  aborted: Promise<void>;
}

/** Whether the answer goes on after a step, or the response is over. */
export type StepOutcome = 'continue' | 'over';

/** An SSE response in the making: the headers once, then exact text. */
export class EventStream {
  readonly #res: ServerResponse;
  readonly #headers: OutgoingHttpHeaders;

  constructor(res: ServerResponse, headers: OutgoingHttpHeaders) {
    this.#res = res;
    this.#headers = headers;
  }

  /** Whether the headers went out, so an error must travel inside the stream. */
  get started(): boolean {
    return this.#res.headersSent;
  }

  start(): void {
    if (!this.#res.headersSent) this.#res.writeHead(200, this.#headers);
  }

  /** Writes text exactly as given. */
  write(text: string): void {
    this.start();
    this.#res.write(text);
  }

  /** One `data:` event with a JSON payload, ended by a blank line (LF line ends). */
  data(payload: unknown): void {
    this.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  end(text = ''): void {
    this.start();
    this.#res.end(text);
  }

  /** Lets what was written reach the client, then closes without ending the body. */
  drop(): void {
    this.start();
    this.#res.socket?.destroySoon();
  }
}

/**
 * The `POST /v1/chat/completions` handler of a fake: reads the request, runs the script
 * and plays its steps, the common ones here and the server's own through `special`.
 */
export function chatRoute<Special extends { type: string }>(opts: {
  script: ChatScript<CommonStep | Special>;
  dialect: ChatDialect;
  special: (step: Special, io: StepIO) => StepOutcome | Promise<StepOutcome>;
}): RouteHandler {
  let requests = 0;
  return async (ctx) => {
    const req = readChatRequest(ctx.req.body);
    const requestIndex = requests++;
    const answer: AnswerSoFar = {
      id: opts.dialect.newId(),
      created: Math.floor(Date.now() / 1000),
      model: req.model,
      includeUsage: req.includeUsage,
      completionTokens: 0,
      opened: false,
    };
    // One listener for the whole answer: a script of many waits must not pile them up.
    const io: StepIO = { ctx, req, stream: new EventStream(ctx.res, opts.dialect.headers), answer, dialect: opts.dialect, aborted: whenAborted(ctx.signal) };
    for await (const step of opts.script(req, { requestIndex, signal: ctx.signal })) {
      if (ctx.signal.aborted) return;
      // The common steps are told apart by name; everything else is the server's own.
      const outcome = isCommonStep(step) ? await playCommon(step, io) : await opts.special(step as Special, io);
      if (outcome === 'over') return;
    }
    if (!ctx.signal.aborted) finishAnswer(io, 'stop');
  };
}

/** Sends the chunks that come before the first token, once. */
export function openAnswer(io: StepIO): void {
  if (io.answer.opened) return;
  io.answer.opened = true;
  for (const chunk of io.dialect.opening(io.answer)) io.stream.data(chunk);
}

/** The finish chunk, the usage chunk when asked, `data: [DONE]`, and the end of the response. */
export function finishAnswer(io: StepIO, reason: string, promptTokens?: number): void {
  openAnswer(io);
  const usage = { promptTokens: promptTokens ?? promptTokensOf(io.req), completionTokens: io.answer.completionTokens };
  for (const chunk of io.dialect.closing(io.answer, reason, usage)) io.stream.data(chunk);
  io.stream.end('data: [DONE]\n\n');
}

async function playCommon(step: CommonStep, io: StepIO): Promise<StepOutcome> {
  const { stream, answer, dialect } = io;
  switch (step.type) {
    case 'content':
    case 'reasoning': {
      openAnswer(io);
      stream.data(dialect.text(answer, step.type, step.text, answer.completionTokens === 0));
      answer.completionTokens++;
      return 'continue';
    }
    case 'tool-call':
      openAnswer(io);
      stream.data(dialect.toolCall(answer, step, answer.completionTokens === 0));
      answer.completionTokens++;
      return 'continue';
    case 'finish':
      finishAnswer(io, step.reason, step.promptTokens);
      return 'over';
    case 'delay':
      await sleep(step.ms, undefined, { signal: io.ctx.signal }).catch(() => undefined);
      return 'continue';
    case 'wait':
      await Promise.race([step.until.catch(() => undefined), io.aborted]);
      return 'continue';
    case 'drop':
      stream.drop();
      return 'over';
    case 'end':
      stream.end();
      return 'over';
    case 'stall':
      await io.aborted;
      return 'over';
    default:
      return assertNever(step, 'chat step');
  }
}

function isCommonStep(step: { type: string }): step is CommonStep {
  return COMMON_STEPS.has(step.type);
}

/** What servers report as the prompt's size when a test does not say: a quarter of its characters. */
export function promptTokensOf(req: ChatRequestSeen): number {
  const chars = req.messages.reduce((n, m) => n + (typeof m.content === 'string' ? m.content.length : 0), 0);
  return Math.ceil(chars / 4);
}

function readChatRequest(body: unknown): ChatRequestSeen {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const streamOptions = record.stream_options;
  const includeUsage = typeof streamOptions === 'object' && streamOptions !== null && (streamOptions as Record<string, unknown>).include_usage === true;
  return {
    model: typeof record.model === 'string' ? record.model : '',
    messages: Array.isArray(record.messages) ? (record.messages as { role: string; content: unknown }[]) : [],
    includeUsage,
    ...(typeof record.max_tokens === 'number' ? { maxTokens: record.max_tokens } : {}),
    body: record,
  };
}

/** A JSON body written exactly as given (servers differ in spacing), with a status. */
export function sendRawJson(res: ServerResponse, status: number, text: string, contentType = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * One `delta.tool_calls` entry from a step, as servers that stream calls in pieces send it:
 * `id` and `type` with the first piece only, then whatever parts of the function the step has.
 */
export function toolCallDelta(step: ToolCallStep): Record<string, unknown> {
  return {
    index: step.index ?? 0,
    ...(step.id === undefined ? {} : { id: step.id, type: 'function' }),
    function: {
      ...(step.name === undefined ? {} : { name: step.name }),
      ...(step.arguments === undefined ? {} : { arguments: step.arguments }),
    },
  };
}

/** A random id of lowercase letters and digits, as llama.cpp and LM Studio make them. */
export function randomId(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[Math.floor(Math.random() * alphabet.length)];
  return id;
}
