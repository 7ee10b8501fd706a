/**
 * How full a model's context window was on its latest request, in words: the
 * status bar's short line, its tooltip, and the facts behind it. A window the
 * server never reported is a guess, and the words say so, since a small real
 * window is the usual reason a local model forgets the start of the task.
 */
import type { ContextMeter, ContextSource, ModelSlot } from '@duet/server/protocol';
import { assertNever } from './assert-never.ts';

/** Above this share of the window the meter turns to a warning. */
export const FULL_SHARE = 0.9;

/** What the status bar shows for one model's meter. */
export interface ContextMeterView {
  /** `A: 2,310 / 4,096 tokens`, with `~` before an estimate. */
  label: string;
  /** Words beside the label, or null: where a guessed window can be set, or that it is nearly full. */
  note: string | null;
  /** Share of the window the prompt took, 0–100, for the bar. */
  percent: number;
  /** More than {@link FULL_SHARE} of the window is taken. */
  full: boolean;
  /** The facts, one per line: prompt, window, answer budget. For the tooltip and the details. */
  facts: string[];
  /** `3 older turns summarised`; null when the model still reads every turn. */
  folded: string | null;
}

const numbers = new Intl.NumberFormat('en-US');

/** `2310` → `2,310`. */
export function formatTokens(n: number): string {
  return numbers.format(Math.round(n));
}

/** The command-line flag that sets a model's context window. */
export function contextFlag(slot: ModelSlot): string {
  return slot === 'A' ? '--context-a' : '--context-b';
}

function windowFact(slot: ModelSlot, window: string, source: ContextSource): string {
  switch (source) {
    case 'flag':
      return `Context window: ${window} tokens, set with ${contextFlag(slot)}.`;
    case 'server':
      return `Context window: ${window} tokens, as the model server reports it.`;
    case 'default':
      return `Context window: ${window} tokens, a guess: the model server did not say. Set ${contextFlag(slot)} to the model's real window.`;
    default:
      return assertNever(source, 'context source');
  }
}

/** `3 older turns summarised`; null for none. */
export function foldedLabel(folded: number): string | null {
  if (folded <= 0) return null;
  return `${folded} older ${folded === 1 ? 'turn' : 'turns'} summarised`;
}

/** The words and figures for one model's meter. */
export function contextMeterView(slot: ModelSlot, meter: ContextMeter): ContextMeterView {
  const share = meter.window > 0 ? meter.sent / meter.window : 1;
  const full = share > FULL_SHARE;
  const percent = Math.round(Math.min(1, Math.max(0, share)) * 100);
  const sent = `${meter.measured ? '' : '~'}${formatTokens(meter.sent)}`;
  const window = formatTokens(meter.window);
  const notes: string[] = [];
  if (meter.source === 'default') notes.push(`(default — set ${contextFlag(slot)})`);
  if (full) notes.push(`${Math.round(share * 100)} % full`);
  return {
    label: `${slot}: ${sent} / ${window} tokens`,
    note: notes.length > 0 ? notes.join(' · ') : null,
    percent,
    full,
    facts: [
      meter.measured
        ? `Prompt of the latest request: ${formatTokens(meter.sent)} tokens, counted by the model server.`
        : `Prompt of the latest request: about ${formatTokens(meter.sent)} tokens, estimated by Duet.`,
      windowFact(slot, window, meter.source),
      `Answer budget: ${formatTokens(meter.maxTokens)} tokens.`,
    ],
    folded: foldedLabel(meter.folded),
  };
}
