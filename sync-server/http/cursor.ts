import { z } from 'zod';
import { badRequest } from './errors.ts';

/**
 * Opaque cursors for keyset pagination (never OFFSET). A cursor is base64url JSON of the sort key of the
 * last row a page returned; clients pass it back untouched. Each list declares the shape of its key.
 */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor<T>(cursor: string, keySchema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw new Error('not base64url');
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('The cursor is not valid; pass back the cursor of a previous page unchanged.', 'bad_cursor');
  }
  const parsed = keySchema.safeParse(raw);
  if (!parsed.success) {
    throw badRequest('The cursor is not valid; pass back the cursor of a previous page unchanged.', 'bad_cursor');
  }
  return parsed.data;
}

/** The cursor query parameter every paged route accepts. */
export const cursorQuerySchema = z.string().max(512).optional();
