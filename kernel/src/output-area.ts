/**
 * Applies a cell's execute events to its list of nbformat outputs, as Jupyter's
 * output area does: consecutive stream outputs of one name are merged,
 * `clear_output(wait=True)` clears when the next output arrives, display updates
 * replace outputs in place. A byte budget stops a flood of output from reaching
 * the document, the disk or a model.
 */
import type { ExecuteEvent } from './session-types.ts';
import type { NbOutput } from './outputs.ts';
import { assertNever } from './outputs.ts';

export const DEFAULT_OUTPUT_BUDGET = 2 * 1024 * 1024;

export class OutputArea {
  readonly outputs: NbOutput[] = [];
  #pendingClear = false;
  #used = 0;
  #truncated = false;

  constructor(readonly budget = DEFAULT_OUTPUT_BUDGET) {}

  get truncated(): boolean {
    return this.#truncated;
  }

  /** Applies one event; returns true when the outputs changed. */
  apply(event: ExecuteEvent): boolean {
    switch (event.kind) {
      case 'clear_output':
        if (event.wait) {
          this.#pendingClear = true;
          return false;
        }
        this.#clear();
        return true;
      case 'update_display': {
        let changed = false;
        for (let i = 0; i < this.outputs.length; i++) {
          const o = this.outputs[i];
          if (o?.output_type === 'display_data' && o.transient?.display_id === event.displayId) {
            this.outputs[i] = { ...event.output, transient: { display_id: event.displayId } };
            changed = true;
          }
        }
        return changed;
      }
      case 'output':
        if (this.#pendingClear) this.#clear();
        return this.#append(event.output);
      default:
        return assertNever(event, 'execute event');
    }
  }

  #clear(): void {
    this.outputs.length = 0;
    this.#pendingClear = false;
    this.#used = 0;
    this.#truncated = false;
  }

  #append(output: NbOutput): boolean {
    if (this.#truncated) return false;
    const size = sizeOf(output);
    if (this.#used + size > this.budget) {
      this.#truncated = true;
      if (output.output_type === 'stream') {
        const room = Math.max(0, this.budget - this.#used);
        if (room > 0) this.#mergeStream({ ...output, text: output.text.slice(0, room) });
      }
      this.#mergeStream({
        output_type: 'stream',
        name: 'stderr',
        text: `\n[Duet: output cut at ${formatBytes(this.budget)}; the cell went on running but the rest of its output was dropped]\n`,
      });
      return true;
    }
    this.#used += size;
    if (output.output_type === 'stream') this.#mergeStream(output);
    else this.outputs.push(output);
    return true;
  }

  #mergeStream(output: NbOutput & { output_type: 'stream' }): void {
    const last = this.outputs[this.outputs.length - 1];
    if (last?.output_type === 'stream' && last.name === output.name) {
      this.outputs[this.outputs.length - 1] = { ...last, text: last.text + output.text };
    } else {
      this.outputs.push(output);
    }
  }
}

function sizeOf(o: NbOutput): number {
  switch (o.output_type) {
    case 'stream':
      return o.text.length;
    case 'error':
      return o.ename.length + o.evalue.length + o.traceback.reduce((n, l) => n + l.length, 0);
    case 'display_data':
    case 'execute_result':
      return JSON.stringify(o.data).length;
    default:
      return assertNever(o, 'output');
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(0)} MB` : `${(n / 1024).toFixed(0)} KB`;
}
