import { z } from 'zod';

/**
 * Timestamps inside keyset cursors. A JS Date keeps milliseconds while PostgreSQL keeps microseconds,
 * so a cursor built from a Date would compare unequal to its own row and skip or repeat rows at a page
 * boundary. Cursors therefore carry the timestamp as PostgreSQL prints it here (UTC, microseconds), and
 * queries cast it back with `::timestamptz`, which reads this ISO form exactly whatever the session's
 * time zone or DateStyle.
 */
export function timestampKeySql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/**
 * Whether an ISO 8601 date-time names a real instant PostgreSQL accepts: a calendar date that exists
 * (no February 30th) in years 1–9999. Shape checks alone would let such a value through to the
 * database, which refuses it with an error instead of a 400.
 */
export function isRealInstant(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T/.exec(value);
  if (!m || Number.isNaN(Date.parse(value))) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1) return false;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export const REAL_INSTANT_MESSAGE = 'must be a real date and time, e.g. 2026-01-31T09:00:00Z';

export const timestampKeySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
  .refine(isRealInstant);
