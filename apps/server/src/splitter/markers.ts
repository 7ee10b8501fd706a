/**
 * Marker lines (`RUN-CODE`, `**TEST-ASSERT:**`, `## run code`, `# TEST-ASSERT` as a
 * first-line comment) and the languages Duet can run.
 */
import type { BlockKind } from './types.ts';

/** Marker lines are short; anything longer is prose, which bounds the work per line. */
export const MARKER_LINE_MAX = 64;

/** Emphasis, heading hashes, comment slashes and inline-code ticks around a marker. */
const LEADING_DECORATION = /^[\s#*_`/]+/;
const TRAILING_DECORATION = /[\s*_`:]+$/;
const MARKER_WORD = /^(?:run[-_ ]code|test[-_ ]assert)$/i;
const MARKER_SHAPES = ['run?code', 'test?assert'] as const;
const SEPARATORS = '-_ ';

function kindOfMarker(word: string): BlockKind {
  return word.toLowerCase().startsWith('run') ? 'code' : 'test';
}

/** The block kind a complete line marks, or null when the line is not a marker. */
export function markerLineKind(line: string): BlockKind | null {
  if (line.length > MARKER_LINE_MAX) return null;
  const core = line.replace(LEADING_DECORATION, '').replace(TRAILING_DECORATION, '');
  return MARKER_WORD.test(core) ? kindOfMarker(core) : null;
}

/** Whether an incomplete line could still turn out to be a marker line. */
export function couldBeMarkerLine(partial: string): boolean {
  if (partial.length > MARKER_LINE_MAX) return false;
  const core = partial.replace(LEADING_DECORATION, '').toLowerCase();
  return MARKER_SHAPES.some((shape) => fitsShape(core, shape));
}

function fitsShape(core: string, shape: string): boolean {
  const n = Math.min(core.length, shape.length);
  for (let i = 0; i < n; i++) {
    const want = shape[i];
    const got = core[i] as string;
    if (want === '?' ? !SEPARATORS.includes(got) : got !== want) return false;
  }
  return core.length <= shape.length || /^[\s*_`:]*$/.test(core.slice(shape.length));
}

const INFO_MARKER = /(^|\s)[*_`]*(run[-_ ]code|test[-_ ]assert)[*_`:]*(?=\s|$)/i;

/** What a fence's info string says: the language, and a marker if one is there. */
export interface FenceInfo {
  lang: string | null;
  kind: BlockKind | null;
}

/** Reads `python`, `python RUN-CODE`, `RUN-CODE python`, `{.py}` and the like. */
export function parseInfoString(info: string): FenceInfo {
  const found = INFO_MARKER.exec(info);
  const kind = found?.[2] === undefined ? null : kindOfMarker(found[2]);
  const rest = found === null ? info : info.slice(0, found.index) + ' ' + info.slice(found.index + found[0].length);
  const word = rest.trim().split(/\s+/)[0] ?? '';
  const lang = word.replace(/^[{.]+/, '').replace(/[}]+$/, '').toLowerCase();
  return { lang: lang === '' ? null : lang, kind };
}

const PYTHON_LANGS = new Set(['python', 'py', 'python3', 'ipython']);

/** Duet runs Python; a block without a language is taken to be Python. */
export function isPythonLang(lang: string | null): boolean {
  return lang === null || PYTHON_LANGS.has(lang.toLowerCase());
}

const COMMENT_START = /^\s*(?:#|\/\/)/;

/** The block kind a first-line comment (`# RUN-CODE`, `// TEST-ASSERT:`) marks, or null. */
export function commentMarkerKind(line: string): BlockKind | null {
  return COMMENT_START.test(line) ? markerLineKind(line) : null;
}

/** Whether an incomplete first line could still turn out to be a marker comment. */
export function couldBeCommentMarker(partial: string): boolean {
  if (partial.length > MARKER_LINE_MAX) return false;
  const s = partial.trimStart();
  if (s === '' || s === '/') return true;
  return COMMENT_START.test(s) && couldBeMarkerLine(s);
}
