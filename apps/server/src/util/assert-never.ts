/**
 * The server's exhaustiveness check. It lives here rather than being imported
 * from `@duet/kernel` so that pure modules (the splitter, the LLM client) do not
 * load the kernel package and its native ZeroMQ binding just for a type check.
 */

/** Fails to compile when a switch over a union misses a case; throws if a value the types ruled out arrives anyway. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
