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

export const timestampKeySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
