/**
 * Turns CRLF and lone CR into LF across chunk boundaries: a chunk ending in `\r`
 * followed by one starting with `\n` is one line break, not two.
 */
export class NewlineNormaliser {
  private afterCr = false;

  push(chunk: string): string {
    let text = chunk;
    if (this.afterCr && text.startsWith('\n')) text = text.slice(1);
    if (chunk.length > 0) this.afterCr = chunk.endsWith('\r');
    return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  }
}
