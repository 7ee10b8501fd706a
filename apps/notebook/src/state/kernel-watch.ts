/**
 * Whether the kernel is in trouble as far as the person is concerned: from the
 * moment it dies or restarts until a cell runs fine again. Messages the server
 * sends meanwhile (it died, it was restarted) belong to that trouble and are
 * shown as one banner that goes away with it, instead of piling up as notices
 * that outlive the condition they describe.
 *
 * Pure: it follows the events in the order they arrive, before they are drawn,
 * because a notice arrives at once while document events wait for a frame.
 */
import type { DocumentEvent } from '@duet/server/protocol';
import { assertNever } from '../util/assert-never.ts';

/** What the watch remembers between events. */
export interface KernelWatch {
  /** The kernel died or restarted, and no cell has run without error since. */
  readonly troubled: boolean;
  /** Cells seen running since the trouble began. */
  readonly running: ReadonlySet<string>;
  /** Of those, the ones that produced an error output. */
  readonly erred: ReadonlySet<string>;
}

/** A kernel nobody has worried about. */
export const CALM: KernelWatch = { troubled: false, running: new Set(), erred: new Set() };

const TROUBLED: KernelWatch = { troubled: true, running: new Set(), erred: new Set() };

function withId(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  if (set.has(id)) return set;
  return new Set(set).add(id);
}

function withoutId(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  if (!set.has(id)) return set;
  const next = new Set(set);
  next.delete(id);
  return next;
}

/** The watch after one event; the same object when the event changes nothing it follows. */
export function watchKernel(watch: KernelWatch, event: DocumentEvent): KernelWatch {
  switch (event.type) {
    case 'kernel-state':
      return event.kernel === 'dead' || event.kernel === 'restarting' ? TROUBLED : watch;
    case 'cell-runtime': {
      if (!watch.troubled) return watch;
      const { id } = event;
      if (event.runtime.phase === 'running') return { ...watch, running: withId(watch.running, id), erred: withoutId(watch.erred, id) };
      if (event.runtime.phase !== 'idle' || !watch.running.has(id)) return watch;
      // A cell that ran and ended without an error: the kernel works again.
      if (!watch.erred.has(id)) return CALM;
      return { ...watch, running: withoutId(watch.running, id), erred: withoutId(watch.erred, id) };
    }
    case 'output-appended':
      if (!watch.troubled || event.output.output_type !== 'error') return watch;
      return { ...watch, erred: withId(watch.erred, event.id) };
    case 'outputs-set':
      if (!watch.troubled || !event.outputs.some((o) => o.output_type === 'error')) return watch;
      return { ...watch, erred: withId(watch.erred, event.id) };
    case 'cell-added':
    case 'cell-removed':
    case 'cell-moved':
    case 'source-appended':
    case 'source-set':
    case 'outputs-cleared':
    case 'cell-meta':
    case 'notebook-meta':
    case 'run-state':
    case 'notice':
      return watch;
    default:
      return assertNever(event, 'document event');
  }
}
