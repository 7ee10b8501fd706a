/**
 * Python highlighting whose colours come from the theme: CodeMirror's default
 * style, each colour replaced by a CSS variable that styles.css sets for the
 * light and the dark theme (so the editor needs no rebuilding when the theme
 * changes, and every colour can be checked for contrast in one place).
 */
import { defaultHighlightStyle, HighlightStyle } from '@codemirror/language';

/** CodeMirror's default colours and the variable that stands in for each. */
const VARIABLES: Readonly<Record<string, string>> = {
  '#404740': '--hl-meta',
  '#708': '--hl-keyword',
  '#219': '--hl-atom',
  '#164': '--hl-literal',
  '#a11': '--hl-string',
  '#e40': '--hl-regexp',
  '#00f': '--hl-definition',
  '#30a': '--hl-local',
  '#085': '--hl-type',
  '#167': '--hl-class',
  '#256': '--hl-special',
  '#00c': '--hl-property',
  '#940': '--hl-comment',
  '#f00': '--hl-invalid',
};

export const themedHighlightStyle = HighlightStyle.define(
  defaultHighlightStyle.specs.map((spec) => {
    const color = typeof spec.color === 'string' ? VARIABLES[spec.color] : undefined;
    return color === undefined ? spec : { ...spec, color: `var(${color})` };
  }),
);
