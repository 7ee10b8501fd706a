/**
 * Terminal text with ANSI colours, as React spans. The text is never parsed as
 * HTML: colours become class names or inline colours, content stays text. The
 * sixteen named colours come from the theme (styles.css picks them to be
 * readable on every background an output can have); a 24-bit colour, which
 * could be anything, is mixed toward the theme's text colour so it stays
 * readable too.
 */
import Anser from 'anser';
import { memo, useMemo, type CSSProperties, type ReactNode } from 'react';

const ESC = '\u001b';

function spans(text: string): ReactNode {
  if (!text.includes(ESC)) return text;
  return Anser.ansiToJson(text, { use_classes: true, remove_empty: true }).map((entry, i) => {
    const classes: string[] = [];
    const style: CSSProperties = {};
    // anser's typings say string; at run time an unset colour is null.
    const fg = entry.fg as string | null;
    const bg = entry.bg as string | null;
    const fgTrue = entry.fg_truecolor as string | null;
    const bgTrue = entry.bg_truecolor as string | null;
    if (fg) classes.push(`${fg}-fg`);
    if (bg) classes.push(`${bg}-bg`);
    if (fgTrue) style.color = `color-mix(in srgb, rgb(${fgTrue}) 35%, var(--text))`;
    if (bgTrue) style.backgroundColor = `color-mix(in srgb, rgb(${bgTrue}) 25%, var(--panel))`;
    for (const d of entry.decorations) classes.push(`ansi-${d}`);
    if (classes.length === 0 && !fgTrue && !bgTrue) return entry.content;
    return (
      <span key={i} className={classes.join(' ')} style={style}>
        {entry.content}
      </span>
    );
  });
}

/** Text that may contain ANSI escape codes, coloured. */
export const AnsiText = memo(function AnsiText({ text }: { text: string }) {
  const content = useMemo(() => spans(text), [text]);
  return <>{content}</>;
});
