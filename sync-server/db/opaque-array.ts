/**
 * An array parameter written so the planner cannot see into it: `(SELECT $1::uuid[])`.
 *
 * Prepared statements keep a generic plan once it costs no more than the plans made for the actual
 * values. For `unnest($1)` those know the array's length — one row for a batch of one — and always look
 * cheaper than the generic plan's guess, so a statement unnesting its parameters was planned again on
 * every run: 0.2–0.5 ms of PostgreSQL CPU per statement, for each of the reads of every message sent.
 * Behind a scalar subquery both plans estimate the same and PostgreSQL keeps the generic one. Values and
 * results are unchanged; only use it where the plan does not depend on how many elements there are.
 */
export function opaqueArray(param: `$${number}`, type: `${string}[]`): string {
  return `(SELECT ${param}::${type})`;
}
