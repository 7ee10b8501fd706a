/**
 * Applies a cell's execute events to its list of nbformat outputs, as Jupyter's
 * output area does: consecutive stream outputs of one name are merged,
 * `clear_output(wait=True)` clears when the next output arrives, display updates
 * replace outputs in place.
 *
 * One byte budget bounds everything the area keeps, however it got there: appended
 * outputs, display updates (which replace every output with their id, so each copy
 * counts), data, metadata, display ids, execution counts and tracebacks. Past the
 * budget the rest of the cell's output is dropped and an error output says so, so
 * a flood never reaches the document, the disk, a browser or a model.
 */
import type { ExecuteEvent } from './session-types.ts';
import type { ErrorOutput, NbOutput, StreamOutput } from './outputs.ts';
import { MAX_OUTPUT_DEPTH, assertNever, outputBytes, textBytes, textWithin } from './outputs.ts';

export const DEFAULT_OUTPUT_BUDGET = 2 * 1024 * 1024;

/** Why an area stopped keeping output. */
export type OutputLimitReason =
  /** The area's own budget: one cell's share. */
  | 'cell'
  /** The room the caller gave it (the notebook's total) ran out first. */
  | 'shared'
  /** An output nested deeper than {@link MAX_OUTPUT_DEPTH}. */
  | 'nesting';

/** The facts of a cut, for the note that tells the user. */
export interface OutputLimitHit {
  reason: OutputLimitReason;
  /** The bound that was hit, bytes (the budget, or what the shared room allowed). */
  limitBytes: number;
}

export interface OutputAreaOptions {
  /** Bytes the outputs may take, as {@link OutputArea.bytesOf} counts them. */
  budget?: number;
  /**
   * Bytes a larger whole (the notebook) can still give beyond what this area holds
   * now; asked on every change, so the area never takes more than is left.
   */
  room?: () => number;
  /** The error output that says why output was cut; the default says it in general terms. */
  note?: (hit: OutputLimitHit) => ErrorOutput;
}

/** A stream output with no text: what a new stream costs before its text. */
const EMPTY_STDOUT = outputBytes({ output_type: 'stream', name: 'stdout', text: '' });

export class OutputArea {
  /** How many bytes an output counts for. */
  static bytesOf(output: NbOutput): number {
    return outputBytes(output);
  }

  /** How many bytes text counts for, in a stream or a cell's source. */
  static textBytes(text: string): number {
    return textBytes(text);
  }

  /** How deep an output's JSON may nest and still be kept. */
  static readonly maxDepth = MAX_OUTPUT_DEPTH;

  /** The outputs; read it, change it only through the area. */
  readonly outputs: NbOutput[] = [];
  readonly budget: number;
  /** Bytes of each output, index for index. */
  readonly #sizes: number[] = [];
  /** Indices of the outputs that carry each display id: updates find them without a scan. */
  readonly #byDisplayId = new Map<string, number[]>();
  readonly #room: (() => number) | null;
  readonly #note: (hit: OutputLimitHit) => ErrorOutput;
  #pendingClear = false;
  #used = 0;
  #hit: OutputLimitHit | null = null;

  constructor(opts: number | OutputAreaOptions = {}) {
    const o = typeof opts === 'number' ? { budget: opts } : opts;
    this.budget = o.budget ?? DEFAULT_OUTPUT_BUDGET;
    this.#room = o.room ?? null;
    this.#note = o.note ?? defaultNote;
  }

  /** True once output was dropped (until the cell clears its output). */
  get truncated(): boolean {
    return this.#hit !== null;
  }

  /** Why output was dropped, if it was. */
  get limitHit(): OutputLimitHit | null {
    return this.#hit;
  }

  /** Bytes the outputs hold now, as {@link OutputArea.bytesOf} counts them. */
  get used(): number {
    return this.#used;
  }

  /** Applies one event; returns true when the outputs changed. */
  apply(event: ExecuteEvent): boolean {
    switch (event.kind) {
      case 'clear_output':
        if (event.wait) {
          this.#pendingClear = true;
          return false;
        }
        this.#clear();
        return true;
      case 'update_display':
        return this.#update(event.displayId, event.output);
      case 'output':
        if (this.#pendingClear) this.#clear();
        return this.#append(event.output);
      default:
        return assertNever(event, 'execute event');
    }
  }

  /**
   * Appends an error of the caller's own (a time limit, a disk limit): kept even
   * past the budget, since it says what happened to the cell.
   */
  appendNote(output: ErrorOutput): void {
    this.#push(output, outputBytes(output));
  }

  /** Removes the outputs `drop` picks (an interrupt the caller caused and explains itself). */
  removeWhere(drop: (o: NbOutput) => boolean): void {
    const kept = this.outputs.map((o, i) => [o, this.#sizes[i] ?? 0] as const).filter(([o]) => !drop(o));
    this.#reset();
    for (const [o, size] of kept) this.#push(o, size);
  }

  #clear(): void {
    this.#reset();
    this.#pendingClear = false;
    this.#hit = null;
  }

  #reset(): void {
    this.outputs.length = 0;
    this.#sizes.length = 0;
    this.#byDisplayId.clear();
    this.#used = 0;
  }

  /** The bound in force now: the budget, or less when the shared room is smaller. */
  #limit(): OutputLimitHit {
    const shared = this.#room ? this.#used + Math.max(0, this.#room()) : Number.POSITIVE_INFINITY;
    return shared < this.budget ? { reason: 'shared', limitBytes: shared } : { reason: 'cell', limitBytes: this.budget };
  }

  #append(output: NbOutput): boolean {
    if (this.#hit) return false;
    const limit = this.#limit();
    const room = limit.limitBytes - this.#used;
    if (output.output_type === 'stream') return this.#appendStream(output, room, limit);
    const size = outputBytes(output, room);
    if (size > room) {
      this.#cut(size === Number.POSITIVE_INFINITY ? { reason: 'nesting', limitBytes: limit.limitBytes } : limit);
      return true;
    }
    this.#push(output, size);
    return true;
  }

  #appendStream(output: StreamOutput, room: number, limit: OutputLimitHit): boolean {
    const last = this.outputs[this.outputs.length - 1];
    const merges = last?.output_type === 'stream' && last.name === output.name;
    const overhead = merges ? 0 : EMPTY_STDOUT;
    const size = overhead + textBytes(output.text, room - overhead);
    if (size <= room) {
      this.#mergeStream(output, size);
      return true;
    }
    // Text can be cut anywhere: keep what fits, then say where it stopped. A copy, since
    // a slice would keep the whole message's text alive for as long as the cell's output.
    const kept = ownCopy(textWithin(output.text, room - overhead));
    if (kept !== '') this.#mergeStream({ ...output, text: kept }, overhead + textBytes(kept));
    this.#cut(limit);
    return true;
  }

  #update(displayId: string, output: NbOutput & { output_type: 'display_data' }): boolean {
    if (this.#hit) return false;
    const indices = this.#byDisplayId.get(displayId);
    if (!indices) return false;
    const replacement: NbOutput = { ...output, transient: { display_id: displayId } };
    const limit = this.#limit();
    // Every output with the id gets its own copy in the file and in every message, so each counts.
    const freed = indices.reduce((n, i) => n + (this.#sizes[i] ?? 0), 0);
    const room = limit.limitBytes - (this.#used - freed);
    const size = outputBytes(replacement, room);
    if (size === Number.POSITIVE_INFINITY || size * indices.length > room) {
      this.#cut(size === Number.POSITIVE_INFINITY ? { reason: 'nesting', limitBytes: limit.limitBytes } : limit);
      return true;
    }
    for (const i of indices) {
      this.outputs[i] = replacement;
      this.#sizes[i] = size;
    }
    this.#used += size * indices.length - freed;
    return true;
  }

  #cut(hit: OutputLimitHit): void {
    this.#hit = hit;
    const note = this.#note(hit);
    this.#push(note, outputBytes(note));
  }

  #push(output: NbOutput, size: number): void {
    const index = this.outputs.length;
    this.outputs.push(output);
    this.#sizes.push(size);
    this.#used += size;
    const id = output.output_type === 'display_data' ? output.transient?.display_id : undefined;
    if (id !== undefined) {
      const list = this.#byDisplayId.get(id);
      if (list) list.push(index);
      else this.#byDisplayId.set(id, [index]);
    }
  }

  /** Merges into the last output when it is a stream of the same name; `size` is what the text adds. */
  #mergeStream(output: StreamOutput, size: number): void {
    const i = this.outputs.length - 1;
    const last = this.outputs[i];
    if (last?.output_type === 'stream' && last.name === output.name) {
      this.outputs[i] = { ...last, text: last.text + output.text };
      this.#sizes[i] = (this.#sizes[i] ?? 0) + size;
      this.#used += size;
    } else {
      this.#push(output, size);
    }
  }
}

/**
 * The same text in a string of its own, sharing no storage with a larger one (and
 * kept one byte a character where it can be, as parsed text is).
 */
function ownCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** The note for callers that do not phrase their own. */
function defaultNote(hit: OutputLimitHit): ErrorOutput {
  const evalue =
    hit.reason === 'nesting'
      ? `Duet: output cut: an output nested more than ${MAX_OUTPUT_DEPTH} levels deep was dropped, with the rest of the output.`
      : `Duet: output cut at ${formatBytes(hit.limitBytes)}; the code went on running but the rest of its output was dropped.`;
  return { output_type: 'error', ename: 'OutputLimit', evalue, traceback: [`OutputLimit: ${evalue}`] };
}

/** Bytes as people read them: `2 MB`, `512 KB`. */
function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB` : `${(n / 1024).toFixed(0)} KB`;
}
