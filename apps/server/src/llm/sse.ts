/**
 * Server-sent events from bytes, parsed as the WHATWG HTML standard says (lines ended by
 * CRLF, LF or CR; `:` comments; `data:` lines joined by newlines; a blank line dispatches),
 * with two allowances real model servers need:
 *
 * - fields the standard does not define are kept, not dropped: llama.cpp before PR #16109
 *   (September 2025) sent its errors as an `error: {…}` line, which a standard parser
 *   silently discards;
 * - an event still open when the body ends is dispatched, not discarded: some servers end
 *   with `data: [DONE]` and no blank line after it.
 */

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` field, when the server named the event (LM Studio's `event: error`). */
  event?: string;
  /** The `data:` lines joined by newlines; `''` when the event carried none. */
  data: string;
  /** Fields the standard does not define, the last value of each (llama.cpp's old `error:`). */
  extra: Readonly<Record<string, string>>;
}

const LF = 10;
const CR = 13;

/**
 * An incremental decoder: feed it text as it arrives, cut anywhere (even between the CR
 * and LF of one line end), and it returns the events each piece completed.
 */
export class SseDecoder {
  #partial = '';
  #afterCR = false;
  #started = false;
  #data: string[] = [];
  #hasData = false;
  #event: string | undefined;
  #extra: Record<string, string> = {};
  #hasExtra = false;

  /** Feeds decoded text; returns the events it completed, in order. */
  push(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    if (!this.#started && text.length > 0) {
      this.#started = true;
      // A byte-order mark before the first field is not part of it.
      if (text.charCodeAt(0) === 0xfeff) start = 1;
    }
    for (let i = start; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === LF && this.#afterCR) {
        // The LF of a CRLF whose CR ended the line already, possibly in the previous piece.
        this.#afterCR = false;
        start = i + 1;
        continue;
      }
      this.#afterCR = code === CR;
      if (code === LF || code === CR) {
        this.#line(this.#partial + text.slice(start, i), events);
        this.#partial = '';
        start = i + 1;
      }
    }
    this.#partial += text.slice(start);
    return events;
  }

  /** Ends the input: an unfinished last line and an undispatched event still count. */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    if (this.#partial !== '') this.#line(this.#partial, events);
    this.#partial = '';
    this.#dispatch(events);
    return events;
  }

  #line(line: string, events: SseEvent[]): void {
    if (line === '') {
      this.#dispatch(events);
      return;
    }
    if (line.startsWith(':')) return; // a comment: `: ping` keep-alives and the like
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.#data.push(value);
        this.#hasData = true;
        break;
      case 'event':
        this.#event = value;
        break;
      case 'id':
      case 'retry':
        // Reconnection fields; Duet never reconnects a chat stream.
        break;
      default:
        this.#extra[field] = value;
        this.#hasExtra = true;
    }
  }

  #dispatch(events: SseEvent[]): void {
    // The standard dispatches only events with data; an event of other fields alone is
    // how old llama.cpp builds reported errors, so it counts too.
    if (this.#hasData || this.#hasExtra) {
      events.push({
        ...(this.#event === undefined || this.#event === '' ? {} : { event: this.#event }),
        data: this.#data.join('\n'),
        extra: this.#extra,
      });
    }
    this.#data = [];
    this.#hasData = false;
    this.#event = undefined;
    this.#extra = {};
    this.#hasExtra = false;
  }
}

/**
 * The events of a response body, as they arrive. Leaving the loop early cancels the body,
 * which closes the HTTP connection.
 */
export async function* readSseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent, void, undefined> {
  const decoder = new SseDecoder();
  const text = new TextDecoder();
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* decoder.push(text.decode(value, { stream: true }));
    }
    finished = true;
    yield* decoder.push(text.decode());
    yield* decoder.end();
  } finally {
    // Not awaited: cancelling a body whose connection already failed rejects, and nothing waits on it.
    if (!finished) reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
