import { describe, expect, it } from 'vitest';
import { coalescedRead } from './coalesced-read.ts';
import type { Database } from './database.ts';

// Only the identity of the database matters to the reader (one reader per database and name).
const fakeDb = () => ({ kind: 'postgres' }) as unknown as Database;

describe('coalescedRead', () => {
  it('reads asked for in one turn go out as one read, and each caller gets its own answer', async () => {
    const db = fakeDb();
    const calls: string[][] = [];
    const read = (key: string) =>
      coalescedRead(db, 'squares', async (_db, keys) => {
        calls.push([...keys]);
        return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, Number(k) ** 2]));
      })(key);
    const answers = await Promise.all(['2', '3', '2', 'missing', '4'].map(read));
    expect(answers).toEqual([4, 9, 4, undefined, 16]);
    expect(calls).toEqual([['2', '3', 'missing', '4']]);
    // A later turn reads again: nothing is cached.
    expect(await read('3')).toBe(9);
    expect(calls).toHaveLength(2);
  });

  it('a failed read fails the callers of that turn only', async () => {
    const db = fakeDb();
    let fail = true;
    const read = (key: string) =>
      coalescedRead(db, 'flaky', async (_db, keys) => {
        if (fail) throw new Error('database unavailable');
        return new Map(keys.map((k) => [k, k.toUpperCase()]));
      })(key);
    const first = await Promise.allSettled([read('a'), read('b')]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await Promise.all([read('a'), read('b')])).toEqual(['A', 'B']);
  });
});
