import { assertNever } from '../util/assert-never.ts';
import { AnswerClock } from './answer-clock.ts';
import { ModelError, displayUrl, formatSeconds } from './errors.ts';
import { stillLoadingError } from './loading.ts';
import { DEFAULT_FIRST_TOKEN_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, type StreamChatOptions } from './types.ts';
import { setting } from './settings-words.ts';

/** One call of `streamChat`: its options, its clock, its connection, and the errors that end it. */
export class Exchange {
  readonly opts: StreamChatOptions;
  readonly url: string;
  readonly controller = new AbortController();
  readonly clock: AnswerClock;
  readonly firstTokenMs: number;
  readonly idleMs: number;
  /** The server's last "still loading" answer, until it answers otherwise. */
  loading: ModelError | undefined;
  readonly forwardAbort = (): void => this.controller.abort();

  constructor(opts: StreamChatOptions) {
    this.opts = opts;
    this.url = displayUrl(opts.baseUrl);
    this.firstTokenMs = opts.firstTokenTimeoutMs ?? DEFAULT_FIRST_TOKEN_TIMEOUT_MS;
    this.idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.clock = new AnswerClock(this.firstTokenMs, this.idleMs, () => this.controller.abort());
  }

  /** Whether the caller's signal fired; a method, not a narrowed property, since it can fire at any await. */
  callerAborted(): boolean {
    return this.opts.signal?.aborted === true;
  }

  /** Why the exchange was cut short by a timeout or the caller, if it was. */
  interrupted(): ModelError | undefined {
    const { url, opts } = this;
    switch (this.clock.expired) {
      case 'first-token':
        if (this.loading !== undefined) return stillLoadingError(this.loading, this.firstTokenMs);
        return new ModelError(
          'stalled',
          `The model server at ${url} sent no answer from "${opts.model}" within ${formatSeconds(this.firstTokenMs)} of the request, so Duet gave up on it. The model may still be loading or reading a long prompt, or the machine may be overloaded: raise ${setting('first-token-timeout')} to wait longer.`,
          { url },
        );
      case 'idle':
        return new ModelError(
          'stalled',
          `The model server at ${url} sent nothing for ${formatSeconds(this.idleMs)} while "${opts.model}" was answering, so Duet gave up on it; the answer so far was kept. The machine may be overloaded: try again, or raise ${setting('idle-timeout')} to wait longer.`,
          { url },
        );
      case undefined:
        break;
      default:
        assertNever(this.clock.expired, 'clock phase');
    }
    if (this.callerAborted()) {
      return new ModelError('aborted', `The answer from "${opts.model}" at ${url} was stopped; what arrived so far was kept.`, { url });
    }
    return undefined;
  }

  /** The connection closed before the answer ended. */
  dropped(cause: unknown): ModelError {
    return new ModelError(
      'dropped',
      `The model server at ${this.url} closed the connection in the middle of the answer from "${this.opts.model}"; the answer so far was kept. The server may have crashed or run out of memory: check its log, then try again.`,
      { url: this.url, ...(cause === undefined ? {} : { cause }) },
    );
  }

  /** The response carried nothing an OpenAI-compatible server sends. */
  notOpenAi(): ModelError {
    return new ModelError(
      'bad-response',
      `The server at ${this.url} answered the chat request without any OpenAI-style stream events. Check ${setting('base-url')}: it should be the OpenAI-compatible API root, usually ending in /v1.`,
      { url: this.url },
    );
  }
}
