/**
 * Output text that may be enormous. Shows its first and last lines with a
 * "Show all" between; even "Show all" stops at a bound, because a runaway print
 * must not take the tab down with it. Once shown in full, "Show less" stays in
 * sight at the bottom of the view however far the text is scrolled.
 */
import { memo, useMemo, useState } from 'react';
import { COLLAPSED, EXPANDED, windowText } from '../util/text-window.ts';
import { AnsiText } from './Ansi.tsx';

const fmt = new Intl.NumberFormat('en');

/** A `<pre>` of possibly huge, possibly ANSI-coloured text. */
export const LongText = memo(function LongText({ text, className }: { text: string; className: string }) {
  const [expanded, setExpanded] = useState(false);
  const win = useMemo(() => windowText(text, expanded ? EXPANDED : COLLAPSED), [text, expanded]);
  const truncated = win.hiddenChars > 0;
  const hidden =
    win.hiddenLines > 0 ? `${fmt.format(win.hiddenLines)} more lines` : `${fmt.format(win.hiddenChars)} more characters`;
  return (
    <div className={`long-text ${className}`}>
      <pre>
        <AnsiText text={win.head} />
      </pre>
      {truncated && !expanded && (
        <div className="output-gap">
          <span>… {hidden} hidden …</span>
          <button type="button" onClick={() => setExpanded(true)}>
            Show all
          </button>
        </div>
      )}
      {/* Expanded only ever from a cut view, so there is always less to go back to. */}
      {expanded && (
        <div className="output-gap output-gap-sticky">
          <span>
            {truncated
              ? `Showing the first ${fmt.format(win.totalLines - win.hiddenLines)} of ${fmt.format(win.totalLines)} lines. The whole output is in the downloaded .ipynb.`
              : `Showing all ${fmt.format(win.totalLines)} lines.`}
          </span>
          <button type="button" onClick={() => setExpanded(false)}>
            Show less
          </button>
        </div>
      )}
      {win.tail.length > 0 && (
        <pre>
          <AnsiText text={win.tail} />
        </pre>
      )}
    </div>
  );
});
