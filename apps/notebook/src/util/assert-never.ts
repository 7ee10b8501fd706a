/**
 * Fails to compile when a switch over a union misses a case, and fails loudly at
 * run time if the server sends a kind this build does not know.
 *
 * A local copy: the browser bundle must not pull in `@duet/kernel` runtime code.
 */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
