/**
 * Cuts a model's streamed answer into cells as it arrives. The state is small (the
 * current line while it is undecided, the fence we are in, a pending marker, an
 * unmarked Python block awaiting a marker after it) and each character is looked at
 * a bounded number of times, so an answer costs O(length) however finely it is chunked.
 */
import { assertNever } from '../util/assert-never.ts';
import { CellWriter } from './cell-writer.ts';
import {
  ClosingFenceMatcher,
  openingFenceProgress,
  parseOpeningFence,
  type Fence,
  type OpeningFence,
} from './fences.ts';
import { HeldBlock } from './held-block.ts';
import {
  commentMarkerKind,
  couldBeCommentMarker,
  couldBeMarkerLine,
  isPythonLang,
  markerLineKind,
} from './markers.ts';
import { NewlineNormaliser } from './newlines.ts';
import { CLOSE_THINK_TAGS, PROSE_THINK_TAGS, TagScanner, isCloseThinkTag } from './tags.ts';
import { firstNonSpace } from './text.ts';
import { WorkMeter, type BlockKind, type CellSplitterOptions, type SplitEvent, type SplitterStats } from './types.ts';

/** Where the content stream is: prose (maybe inside a shown block), `<think>`, or a marked block. */
type State = { mode: 'prose' } | { mode: 'reasoning' } | { mode: 'block'; fence: Fence };

/** A marker line waiting for the next non-blank line, with the blank lines after it. */
interface PendingMarker {
  kind: BlockKind;
  held: string;
}

/** An unmarked opening fence waiting for its first line, which may be a `# RUN-CODE` comment. */
interface PendingOpener {
  opening: OpeningFence;
  line: string;
}

/**
 * Turns content deltas (and reasoning deltas) into cell events. Text that is not
 * decided yet (an incomplete line that may be a fence or a marker, a marker
 * awaiting its block, an unmarked Python block awaiting a marker after it, a tag
 * cut in half) is held back, so events never need taking back.
 */
export class CellSplitter {
  private readonly meter = new WorkMeter();
  private readonly writer = new CellWriter(this.meter);
  private readonly contentNewlines = new NewlineNormaliser();
  private readonly reasoningNewlines = new NewlineNormaliser();
  private readonly proseTags = new TagScanner(PROSE_THINK_TAGS, this.meter);
  private readonly closeTags = new TagScanner(CLOSE_THINK_TAGS, this.meter);
  private readonly startInReasoning: boolean;
  private readonly counts: SplitterStats = { unmarkedPython: 0, marked: 0 };

  private state: State;
  private marker: PendingMarker | null = null;
  private opener: PendingOpener | null = null;
  /** The fence of an unmarked block shown inside prose. */
  private proseFence: Fence | null = null;
  /** An unmarked Python block, from its opening line until the line after it decides. */
  private held: HeldBlock | null = null;
  private firstBlockLine = false;
  /** Reasoning deltas that arrived while a marked or held block was open. */
  private deferredReasoning = '';
  /** Content with some non-blank text has arrived. */
  private contentSeen = false;
  private bareCloseTag = false;
  private ended = false;

  private line = '';
  private lineStarted = false;
  /** The line's start has been emitted; the rest streams. */
  private lineDecided = false;
  private lineBlank = true;
  private lineOpensFence = false;
  /** Spaces of fence indent taken off this line so far, in a marked block. */
  private lineIndent = 0;
  private lineIndentDone = false;
  private closer: ClosingFenceMatcher | null = null;

  constructor(options: CellSplitterOptions = {}) {
    this.startInReasoning = options.startInReasoning === true;
    this.state = this.startInReasoning ? { mode: 'reasoning' } : { mode: 'prose' };
  }

  /** Characters examined so far; tests use it to check the work stays linear. */
  get work(): number {
    return this.meter.count;
  }

  /**
   * True when, in a splitter not started in reasoning, a closing think tag arrived in
   * the prose with no opening tag: the chat template evidently opens the reasoning in
   * the prompt, so that model's next answers should start in reasoning.
   */
  /** True while the content stream is inside reasoning (`<think>` open, or started in reasoning). */
  get inReasoning(): boolean {
    return this.state.mode === 'reasoning';
  }

  get sawBareCloseTag(): boolean {
    return this.bareCloseTag;
  }

  /** Counts of unmarked Python blocks left in the prose and of marked blocks, so far. */
  get stats(): SplitterStats {
    return { ...this.counts };
  }

  /** Feeds a content delta. */
  push(text: string): SplitEvent[] {
    this.assertOpen();
    this.meter.add(text.length);
    const norm = this.contentNewlines.push(text);
    if (!this.contentSeen) this.contentSeen = firstNonSpace(norm) >= 0;
    let pos = 0;
    while (pos < norm.length) {
      const nl = norm.indexOf('\n', pos);
      const end = nl < 0 ? norm.length : nl;
      if (end > pos) this.feedPiece(norm.slice(pos, end));
      if (nl < 0) break;
      this.endLine();
      pos = nl + 1;
    }
    return this.writer.drain();
  }

  /** Feeds a `reasoning_content` delta; consecutive reasoning joins one cell. */
  pushReasoning(text: string): SplitEvent[] {
    this.assertOpen();
    this.meter.add(text.length);
    const norm = this.reasoningNewlines.push(text);
    // The server separates the reasoning itself, so the content will not start with it.
    if (this.startInReasoning && !this.contentSeen && text !== '') this.state = { mode: 'prose' };
    // A block must not be cut in two; its reasoning follows it instead.
    if (this.state.mode === 'block' || this.held !== null) this.deferredReasoning += norm;
    else this.writer.write('reasoning', norm);
    return this.writer.drain();
  }

  /** The stream is over: releases held text and closes the last cell. */
  end(): SplitEvent[] {
    if (this.ended) return [];
    if (this.lineStarted) this.endLine();
    this.ended = true;
    switch (this.state.mode) {
      case 'prose':
        if (this.opener !== null) this.releaseOpener();
        this.releaseHeld();
        this.flushMarker();
        this.writer.write('prose', this.proseTags.flush());
        break;
      case 'reasoning':
        this.writer.write('reasoning', this.closeTags.flush());
        break;
      case 'block':
        this.closeBlock(false);
        break;
      default:
        assertNever(this.state, 'splitter state');
    }
    const fenceLeftOpen = this.proseFence !== null && this.writer.openKind === 'prose';
    this.writer.close(!fenceLeftOpen);
    this.flushDeferredReasoning();
    this.writer.close();
    return this.writer.drain();
  }

  private assertOpen(): void {
    if (this.ended) throw new Error('CellSplitter: text pushed after end(); start a new splitter for a new answer.');
  }

  /** Feeds part of a line (no newline in it). A think tag can switch modes mid-line. */
  private feedPiece(piece: string): void {
    let rest = piece;
    while (rest !== '') {
      this.lineStarted = true;
      switch (this.state.mode) {
        case 'prose':
          rest = this.feedProse(rest);
          break;
        case 'reasoning':
          rest = this.feedReasoning(rest);
          break;
        case 'block':
          this.feedBlock(this.state.fence, rest);
          rest = '';
          break;
        default:
          assertNever(this.state, 'splitter state');
      }
    }
  }

  private endLine(): void {
    // An undecided prose line is decided at its end; if it holds a think tag, what
    // follows the tag starts afresh and is decided in turn.
    while (this.state.mode === 'prose' && this.opener === null && this.proseFence === null && !this.lineDecided) {
      if (this.endUndecidedProseLine()) {
        this.resetLine();
        return;
      }
      const text = this.line;
      this.line = '';
      this.lineDecided = true;
      this.flushMarker();
      const rest = this.prosePlain(text);
      if (rest !== '') this.feedPiece(rest);
    }
    switch (this.state.mode) {
      case 'prose':
        if (this.opener !== null) this.endOpenerFirstLine(this.opener);
        else if (this.proseFence !== null) this.endShownBlockLine();
        else this.writer.write('prose', this.proseTags.push('\n').out);
        break;
      case 'reasoning':
        this.writer.write('reasoning', this.closeTags.push('\n').out);
        break;
      case 'block':
        this.endBlockLine();
        break;
      default:
        assertNever(this.state, 'splitter state');
    }
    this.resetLine();
  }

  private resetLine(): void {
    this.line = '';
    this.lineStarted = false;
    this.lineDecided = false;
    this.lineBlank = true;
    this.lineOpensFence = false;
    this.lineIndent = 0;
    this.lineIndentDone = false;
    this.closer = null;
  }

  // ── prose ───────────────────────────────────────────────────────────────

  /** Returns what is left of the piece after a `<think>` switched modes. */
  private feedProse(piece: string): string {
    if (this.opener !== null) {
      this.feedOpenerFirstLine(this.opener, piece);
      return '';
    }
    if (this.proseFence !== null) {
      this.feedCloser(this.proseFence, piece);
      this.show(piece);
      return '';
    }
    if (this.lineDecided) return this.prosePlain(piece);
    this.line += piece;
    if (this.lineBlank) {
      this.meter.add(piece.length);
      if (firstNonSpace(piece) < 0) return '';
      this.lineBlank = false;
    }
    if (this.held !== null) {
      this.meter.add(this.line.length);
      if (couldBeMarkerLine(this.line)) return '';
      this.decideHeld(null);
    }
    if (this.proseLineMayBeSpecial()) return '';
    const text = this.line;
    this.line = '';
    this.lineDecided = true;
    this.flushMarker();
    return this.prosePlain(text);
  }

  /** Whether the non-blank, incomplete line could still open a fence or be a marker. */
  private proseLineMayBeSpecial(): boolean {
    if (this.lineOpensFence) return true;
    this.meter.add(this.line.length);
    const progress = openingFenceProgress(this.line);
    if (progress === 'started') this.lineOpensFence = true;
    return progress !== 'no' || couldBeMarkerLine(this.line);
  }

  /**
   * Writes decided prose, watching for think tags. A closing tag with no opening one
   * is left out: it only tells that the reasoning began in the prompt.
   */
  private prosePlain(text: string): string {
    const scan = this.proseTags.push(text);
    this.writer.write('prose', scan.out);
    if (scan.tag === null) return '';
    if (!isCloseThinkTag(scan.tag)) this.state = { mode: 'reasoning' };
    else if (!this.startInReasoning) this.bareCloseTag = true;
    this.resetLine();
    return scan.rest;
  }

  /** Handles a complete undecided line; false when it is plain prose after all. */
  private endUndecidedProseLine(): boolean {
    const line = this.line;
    this.meter.add(line.length);
    if (this.lineBlank) {
      if (this.marker !== null) this.marker.held += line + '\n';
      else this.show(line + '\n');
      return true;
    }
    if (this.held !== null && this.decideHeld(markerLineKind(line))) return true;
    const opening = parseOpeningFence(line);
    if (opening !== null) {
      const kind = opening.kind ?? this.marker?.kind ?? null;
      this.marker = null;
      if (kind === null) this.opener = { opening, line };
      else {
        this.openBlock(kind, opening);
        this.firstBlockLine = true;
      }
      return true;
    }
    const kind = markerLineKind(line);
    if (kind === null) return false;
    this.flushMarker();
    this.marker = { kind, held: line + '\n' };
    return true;
  }

  /** A marker not followed by a block is just prose. */
  private flushMarker(): void {
    if (this.marker === null) return;
    this.writer.write('prose', this.marker.held);
    this.marker = null;
  }

  private feedOpenerFirstLine(opener: PendingOpener, piece: string): void {
    this.feedCloser(opener.opening.fence, piece);
    this.line += piece;
    if (this.closer?.possible === true) return;
    this.meter.add(this.line.length);
    if (couldBeCommentMarker(this.line)) return;
    const text = this.line;
    this.line = '';
    this.releaseOpener();
    this.show(text);
  }

  private endOpenerFirstLine(opener: PendingOpener): void {
    const kind = commentMarkerKind(this.line);
    if (kind !== null) {
      // The marker comment is dropped: the cell holds the code alone.
      this.opener = null;
      this.openBlock(kind, opener.opening);
      this.firstBlockLine = false;
      return;
    }
    this.releaseOpener();
    this.show(this.line);
    this.endShownBlockLine();
  }

  /**
   * The opener turned out unmarked: the block is shown inside the prose, fences and
   * all. A Python one is held until we know whether a marker follows it.
   */
  private releaseOpener(): void {
    const opener = this.opener;
    if (opener === null) return;
    this.opener = null;
    this.proseFence = opener.opening.fence;
    if (isPythonLang(opener.opening.lang)) this.held = new HeldBlock(opener.opening, opener.line);
    else this.writer.write('prose', opener.line + '\n');
  }

  private endShownBlockLine(): void {
    const closes = this.closer?.matched === true;
    this.show('\n');
    this.held?.endLine(closes);
    if (closes) this.proseFence = null;
  }

  /** Writes shown text into the prose, or into the held block while there is one. */
  private show(text: string): void {
    if (this.held !== null) this.held.add(text);
    else this.writer.write('prose', text);
  }

  /**
   * The first non-blank line after the held block decides it: a marker there is the
   * block's own, written late. True when the line was that marker (and is used up).
   */
  private decideHeld(late: BlockKind | null): boolean {
    if (late === null) this.releaseHeld();
    else this.bindHeld(late);
    // Reasoning that arrived while the block was held follows it, before that line.
    this.flushDeferredReasoning();
    return late !== null;
  }

  /** No marker follows the held block: it goes into the prose as it would have at once. */
  private releaseHeld(): void {
    const held = this.held;
    if (held === null) return;
    this.held = null;
    if (held.closed) this.counts.unmarkedPython++;
    this.writer.write('prose', held.text);
  }

  /** A marker line right after the held block: the block becomes a complete cell, the marker is dropped. */
  private bindHeld(kind: BlockKind): void {
    const held = this.held;
    if (held === null) return;
    this.held = null;
    const body = held.body();
    this.meter.add(body.length);
    this.openCell(kind, held.opening);
    this.writer.append(body);
    this.writer.close(true);
  }

  // ── reasoning ───────────────────────────────────────────────────────────

  private feedReasoning(piece: string): string {
    const scan = this.closeTags.push(piece);
    this.writer.write('reasoning', scan.out);
    if (scan.tag === null) return '';
    this.state = { mode: 'prose' };
    this.resetLine();
    return scan.rest;
  }

  // ── marked blocks ───────────────────────────────────────────────────────

  private openBlock(kind: BlockKind, opening: OpeningFence): void {
    this.openCell(kind, opening);
    this.state = { mode: 'block', fence: opening.fence };
  }

  private openCell(kind: BlockKind, opening: OpeningFence): void {
    this.counts.marked++;
    const runnable = isPythonLang(opening.lang);
    if (runnable) this.writer.openBlock(kind, opening.lang, true);
    else {
      const note = `Not run: Duet runs Python, and this block is marked as ${opening.lang ?? 'another language'}.`;
      this.writer.openBlock(kind, opening.lang, false, note);
    }
  }

  private feedBlock(fence: Fence, raw: string): void {
    this.feedCloser(fence, raw);
    const piece = this.dropFenceIndent(fence, raw);
    if (this.lineDecided) {
      this.writer.append(piece);
      return;
    }
    this.line += piece;
    if (this.closer?.possible === true) return;
    if (this.firstBlockLine) {
      this.meter.add(this.line.length);
      if (couldBeCommentMarker(this.line)) return;
    }
    const text = this.line;
    this.line = '';
    this.lineDecided = true;
    this.firstBlockLine = false;
    this.writer.append(text);
  }

  /** CommonMark: lines inside an indented fence lose up to that many leading spaces. */
  private dropFenceIndent(fence: Fence, piece: string): string {
    if (this.lineIndentDone) return piece;
    let i = 0;
    while (i < piece.length && this.lineIndent < fence.indent && piece[i] === ' ') {
      i++;
      this.lineIndent++;
    }
    if (i < piece.length) this.lineIndentDone = true;
    return i === 0 ? piece : piece.slice(i);
  }

  private endBlockLine(): void {
    if (!this.lineDecided) {
      if (this.closer?.matched === true) {
        this.closeBlock(true);
        return;
      }
      if (this.firstBlockLine && commentMarkerKind(this.line) !== null) {
        // `# RUN-CODE` as the first line: the marker is dropped from the source.
        this.firstBlockLine = false;
        return;
      }
      this.writer.append(this.line);
    }
    this.firstBlockLine = false;
    this.writer.append('\n');
  }

  private closeBlock(complete: boolean): void {
    this.writer.close(complete);
    this.state = { mode: 'prose' };
    this.firstBlockLine = false;
    this.flushDeferredReasoning();
  }

  private flushDeferredReasoning(): void {
    if (this.deferredReasoning === '') return;
    this.writer.write('reasoning', this.deferredReasoning);
    this.deferredReasoning = '';
  }

  private feedCloser(fence: Fence, piece: string): void {
    this.closer ??= new ClosingFenceMatcher(fence);
    this.meter.add(this.closer.feed(piece));
  }
}
