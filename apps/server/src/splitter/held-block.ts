/**
 * An unmarked Python block held back from the prose. Small models often write the
 * marker after the block instead of before it, so whether the block is prose or a
 * cell is only known once the first non-blank line after its closing fence arrives.
 */
import { dropFenceIndent, type OpeningFence } from './fences.ts';

export class HeldBlock {
  /** The block as the prose would show it: fences, body, then the blank lines after it. */
  private shown = '';
  private lineStart = 0;
  private readonly bodyStart: number;
  private bodyEnd: number | null = null;

  constructor(
    readonly opening: OpeningFence,
    openingLine: string,
  ) {
    this.add(openingLine + '\n');
    this.endLine(false);
    this.bodyStart = this.shown.length;
  }

  /** Whether the closing fence has arrived. */
  get closed(): boolean {
    return this.bodyEnd !== null;
  }

  /** The text to release into the prose when no marker binds to the block. */
  get text(): string {
    return this.shown;
  }

  /** Adds text as the prose would show it. */
  add(text: string): void {
    this.shown += text;
  }

  /** Marks the end of a line already added (newline included); `closes` when it was the closing fence. */
  endLine(closes: boolean): void {
    if (closes && this.bodyEnd === null) this.bodyEnd = this.lineStart;
    this.lineStart = this.shown.length;
  }

  /** The code between the fences, as a marked block's cell would hold it. */
  body(): string {
    return dropFenceIndent(this.shown.slice(this.bodyStart, this.bodyEnd ?? this.shown.length), this.opening.fence);
  }
}
