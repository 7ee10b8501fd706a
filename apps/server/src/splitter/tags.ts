/**
 * Finds `<think>`-style tags in streamed text. A tag may be cut across chunks, so a
 * trailing piece that could still become one is held until the next push.
 */
import type { WorkMeter } from './types.ts';

/** Result of a push: text before the tag (or all of it), the tag found, and what followed it. */
export interface TagScan {
  out: string;
  /** The tag found, as spelt in the scanner's list; null when none was. */
  tag: string | null;
  rest: string;
}

/** Tags that open reasoning in the content (matched in any case). */
export const OPEN_THINK_TAGS = ['<think>', '<thinking>'] as const;
/** Tags that close it. */
export const CLOSE_THINK_TAGS = ['</think>', '</thinking>'] as const;
/** What prose is watched for: an opening tag starts reasoning, a closing one there has no opening tag. */
export const PROSE_THINK_TAGS = [...OPEN_THINK_TAGS, ...CLOSE_THINK_TAGS] as const;

/** Whether a tag a scanner found is a closing think tag. */
export function isCloseThinkTag(tag: string): boolean {
  return (CLOSE_THINK_TAGS as readonly string[]).includes(tag);
}

/** Watches one stream for any of a set of tags. */
export class TagScanner {
  private held = '';
  private readonly longest: number;

  constructor(
    private readonly tags: readonly string[],
    private readonly meter: WorkMeter,
  ) {
    this.longest = Math.max(...tags.map((t) => t.length));
  }

  push(text: string): TagScan {
    const s = this.held + text;
    this.held = '';
    this.meter.add(s.length);
    for (let p = s.indexOf('<'); p >= 0; p = s.indexOf('<', p + 1)) {
      const window = s.slice(p, p + this.longest).toLowerCase();
      const tag = this.tags.find((t) => window.startsWith(t));
      if (tag !== undefined) return { out: s.slice(0, p), tag, rest: s.slice(p + tag.length) };
      if (p + window.length === s.length && this.tags.some((t) => t.startsWith(window))) {
        this.held = s.slice(p);
        return { out: s.slice(0, p), tag: null, rest: '' };
      }
    }
    return { out: s, tag: null, rest: '' };
  }

  /** Gives back what was held: at a line's or the answer's end it is plain text. */
  flush(): string {
    const s = this.held;
    this.held = '';
    return s;
  }
}
