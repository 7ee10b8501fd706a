import type { ScriptedRequest } from './script.ts';

/**
 * How a chat request ended, from the server's side:
 * `completed` — the whole answer (or an HTTP error) was written;
 * `client-closed` — the client closed the connection before the script finished;
 * `dropped` — the script dropped the connection on purpose;
 * `failed` — the script threw.
 */
export type ExchangeOutcome = 'completed' | 'client-closed' | 'dropped' | 'failed';

/** One chat request and what became of it; tests assert on these. */
export class ScriptedExchange {
  readonly request: ScriptedRequest;
  readonly requestIndex: number;
  /** The `Authorization` header the client sent, if any. */
  readonly authorization: string | undefined;
  /** The content text written to the client so far. */
  sentContent = '';
  /** Settles once the connection for this request is closed, whoever closed it. */
  readonly closed: Promise<ExchangeOutcome>;
  #outcome: ExchangeOutcome | undefined;
  #resolve!: (outcome: ExchangeOutcome) => void;

  constructor(request: ScriptedRequest, requestIndex: number, authorization: string | undefined) {
    this.request = request;
    this.requestIndex = requestIndex;
    this.authorization = authorization;
    this.closed = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** How the request ended, or `undefined` while its connection is open. */
  get outcome(): ExchangeOutcome | undefined {
    return this.#outcome;
  }

  /** True when the client went away before the script was done: the rest of the answer was never read. */
  get clientClosedEarly(): boolean {
    return this.#outcome === 'client-closed';
  }

  /** Records the ending; only the first call counts. */
  settle(outcome: ExchangeOutcome): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = outcome;
    this.#resolve(outcome);
  }
}
