import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchLocal, type SqlReader } from './local-search.ts';
import { SCHEMA_SQL } from './sql/schema.ts';

/** Offline search over the replica's own schema, in the same PGlite the browser runs (here in Node). */
describe('searching this device (the SQL replica)', () => {
  let db: PGlite;
  let reader: SqlReader;
  const room = randomUUID();

  async function insert(body: string, files: string[], options: { hidden?: boolean } = {}): Promise<string> {
    const id = randomUUID();
    const attachments = files.map((name) => ({ id: randomUUID(), name, type: 'text/plain', size: 10 }));
    await db.query(
      `INSERT INTO messages (id, channel_id, seq, author_id, body, type, edited, hidden, deleted, pinned, created_at, attachments)
       VALUES ($1, $2, (SELECT count(*) + 1 FROM messages), $3, $4, 'text', false, $5, false, false, now(), $6)`,
      [id, room, randomUUID(), options.hidden ? '' : body, options.hidden ?? false, JSON.stringify(attachments)],
    );
    return id;
  }

  beforeAll(async () => {
    db = await PGlite.create();
    await db.exec(SCHEMA_SQL);
    reader = { read: async <T>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows };
  });
  afterAll(async () => {
    await db.close();
  });

  it("finds a message by its file's name, as typed or by a part of it, and names its files", async () => {
    const withLog = await insert('the crash from last night', ['nightly_build-output.log']);
    await insert('nothing to see here', []);
    for (const q of ['nightly_build-output.log', 'nightly', 'output log', 'crash']) {
      const hits = await searchLocal(reader, q);
      expect(
        hits.map((h) => [h.messageId, h.files]),
        q,
      ).toEqual([[withLog, ['nightly_build-output.log']]]);
    }
  });

  it('shows a hit in the words a member reads: no Markdown marks, the match still highlighted', async () => {
    await insert(
      '## Deploy notes\n> **Remember** to run `migrate` first\n- [x] check [the runbook](https://ops.example.org/runbook)\n```sh\nnpm run migrate\n```',
      [],
    );
    const [hit] = await searchLocal(reader, 'runbook');
    const text = hit!.fragments.map((f) => f.text).join(' … ');
    expect(text).not.toMatch(/\*\*|`|^#|\n>|\[x\]|\]\(/);
    expect(text).toContain('Remember to run migrate first');
    expect(text).toContain('check the runbook https://ops.example.org/runbook');
    const marked = hit!.fragments.flatMap((f) => f.highlights.map((h) => f.text.slice(h.start, h.end)));
    expect(marked).toContain('runbook');
  });

  it('finds nothing by the file of a hidden message, even where a row still names it', async () => {
    await insert('secret plans', ['hidden-roadmap.pdf'], { hidden: true });
    expect(await searchLocal(reader, 'roadmap')).toEqual([]);
  });
});
