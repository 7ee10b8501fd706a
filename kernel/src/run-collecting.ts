/**
 * Running code and keeping its outputs, over any {@link KernelConnection}: for
 * callers that want the whole result at once (an inventory of the kernel, a
 * test), where the cell runner applies each event as it comes instead.
 */
import type { KernelConnection } from './kernel-connection.ts';
import { DEFAULT_OUTPUT_BUDGET, OutputArea } from './output-area.ts';
import type { NbOutput } from './outputs.ts';
import type { ExecuteOptions, ExecuteResult } from './session-types.ts';

/** The reply and the cell's outputs, applied (streams merged, clears applied). */
export interface RunOutcome {
  result: ExecuteResult;
  outputs: NbOutput[];
  /** Some output was cut to keep within the budget. */
  truncated: boolean;
}

/** Runs `code` and collects its outputs as nbformat outputs, at most `budget` bytes of them. */
export async function runCollecting(kernel: Pick<KernelConnection, 'send'>, code: string, opts: ExecuteOptions = {}, budget = DEFAULT_OUTPUT_BUDGET): Promise<RunOutcome> {
  const area = new OutputArea(budget);
  const result = await kernel.send(code, {
    ...opts,
    onEvent: (ev) => {
      area.apply(ev);
      opts.onEvent?.(ev);
    },
  });
  return { result, outputs: area.outputs, truncated: area.truncated };
}
