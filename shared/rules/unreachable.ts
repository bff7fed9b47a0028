/**
 * Put in the `default` of a `switch` over a union: adding a member to the union without handling it becomes a
 * compile error here instead of a silent fall-through at run time.
 */
export function unreachable(value: never): never {
  throw new Error(`Unhandled case: ${String(value)}`);
}
