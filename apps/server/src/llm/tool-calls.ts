/** What one `delta.tool_calls` entry says about a call, as far as Duet cares. */
export interface ToolCallFragment {
  /** The call's `index`; calls are told apart by it across chunks. */
  index: number;
  /** A piece of the function's name: servers may cut it anywhere. */
  name?: string;
  /** Whether this fragment carried some of the arguments, which come after the name. */
  hasArguments: boolean;
}

/**
 * Collects the names of streamed tool calls and says when each is complete: once its
 * arguments begin, once a later call begins, or at the end of the answer. Each call's
 * name is given once.
 */
export class ToolCallNames {
  readonly #calls = new Map<number, { name: string; given: boolean }>();

  /** Takes one chunk's fragments; returns the names completed by them, in call order. */
  push(fragments: readonly ToolCallFragment[]): string[] {
    const complete: string[] = [];
    for (const fragment of fragments) {
      for (const [index, call] of this.#calls) {
        if (index < fragment.index) this.#give(call, complete);
      }
      let call = this.#calls.get(fragment.index);
      if (call === undefined) {
        call = { name: '', given: false };
        this.#calls.set(fragment.index, call);
      }
      if (fragment.name !== undefined && !call.given) call.name += fragment.name;
      if (fragment.hasArguments) this.#give(call, complete);
    }
    return complete;
  }

  /** The names not given yet, at the end of the answer. */
  flush(): string[] {
    const complete: string[] = [];
    for (const call of this.#calls.values()) this.#give(call, complete);
    return complete;
  }

  #give(call: { name: string; given: boolean }, into: string[]): void {
    if (call.given || call.name === '') return;
    call.given = true;
    into.push(call.name);
  }
}
