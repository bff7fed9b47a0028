import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView } from '../../shared/sync/channel-doc.ts';
import type { Database } from '../../sync-server/db/database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import {
  processBatch,
  processIntent,
  type IntentDeps,
  type IntentOutcome,
} from '../../sync-server/intents/process-intent.ts';
import {
  createMember,
  intentDeps,
  loungeRoomId,
  seededDatabase,
  sendIntent,
  unlimitedRateLimiter,
} from '../support/fixtures.ts';
import type { TestDatabase } from '../support/postgres.ts';

/**
 * Messages are Markdown (shared/markdown/message-markdown.ts). What the server decides from a body reads
 * it the same way the client shows it: a handle inside code is code, and a help-room question's thread is
 * titled by its words, not its marks.
 */
describe('Markdown in what the server decides (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let general: string;
  let coding: string;
  let ada: UserRow;
  let eve: UserRow;
  let max: UserRow;

  const send = async (user: UserRow, channelId: string, body: string): Promise<IntentOutcome> => {
    const out = await processIntent(deps, user.id, randomUUID(), sendIntent(channelId, body));
    expect(out.verdict.status, JSON.stringify(out.verdict)).toBe('accepted');
    return out;
  };
  const messageOf = (out: IntentOutcome, channelId: string): MessageView => {
    const change = out.changes.filter((c) => c.kind === 'message' && c.channelId === channelId).at(-1);
    if (change?.kind !== 'message') throw new Error('no message change');
    return change.message;
  };
  const notified = async (messageId: string) =>
    (
      await db.query<{ user_id: string }>('SELECT user_id FROM notifications WHERE message_id = $1', [messageId])
    ).rows.map((r) => r.user_id);

  beforeAll(async () => {
    ({ testDb, db } = await seededDatabase());
    deps = intentDeps(db, unlimitedRateLimiter);
    general = await loungeRoomId(db, 'general');
    coding = await loungeRoomId(db, 'coding');
    ada = await createMember(db, 'fmt_ada');
    eve = await createMember(db, 'fmt_eve');
    max = await createMember(db, 'fmt_max');
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('a handle inside inline code or a code block mentions and notifies nobody; one outside still does', async () => {
    const inCode = messageOf(
      await send(ada, general, 'decorate it with `@fmt_eve`:\n```py\n@fmt_max\ndef handler(): pass\n```'),
      general,
    );
    expect(inCode.mentions).toEqual([]);
    expect(await notified(inCode.id)).toEqual([]);

    const outside = messageOf(await send(ada, general, 'ask @fmt_max about `@fmt_eve`'), general);
    expect(outside.mentions).toEqual([max.id]);
    expect(await notified(outside.id)).toEqual([max.id]);
  });

  it('the same holds when the sends go set-wise in one batch', async () => {
    const [ofAda, ofMax] = await processBatch(deps, [
      {
        userId: ada.id,
        intents: [{ intentId: randomUUID(), raw: sendIntent(general, 'see `@fmt_max`') }],
      },
      {
        userId: max.id,
        intents: [{ intentId: randomUUID(), raw: sendIntent(general, 'thanks @fmt_eve') }],
      },
    ]);
    expect(messageOf(ofAda![0]!, general).mentions).toEqual([]);
    expect(messageOf(ofMax![0]!, general).mentions).toEqual([eve.id]);
  });

  it("a help-room question's thread is titled by its first line of words, without the Markdown", async () => {
    const question = messageOf(
      await send(eve, coding, '**How do I** retry a `fetch`?\n```ts\nawait fetch(url)\n```'),
      coding,
    );
    const title = async (messageId: string) =>
      (await db.query<{ title: string }>('SELECT title FROM threads WHERE parent_message_id = $1', [messageId])).rows[0]
        ?.title;
    expect(await title(question.id)).toBe('How do I retry a fetch?');

    // A question that opens with its code is titled by the code's first line, not by the fence.
    const codeFirst = messageOf(
      await send(eve, coding, '```\nTypeError: x is undefined\n```\nwhat does this mean?'),
      coding,
    );
    expect(await title(codeFirst.id)).toBe('TypeError: x is undefined');
  });
});
