import { randomUUID } from 'node:crypto';
import type { Database } from '../../sync-server/db/database.ts';
import { migrate } from '../../sync-server/db/migrate.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { seedLounge } from '../../sync-server/features/lounge/seed-lounge.ts';
import { upsertUser, type UserRow } from '../../sync-server/features/users/users-repo.ts';
import type { IntentDeps } from '../../sync-server/intents/process-intent.ts';
import { createModerationDeps } from '../../sync-server/moderation/moderation-deps.ts';
import { createMemoryRateLimiter } from '../../sync-server/rate-limit/memory-rate-limiter.ts';
import type { RateLimiter } from '../../sync-server/rate-limit/rate-limiter.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';
import { testConfig } from './test-app.ts';

/** A rate limiter that never refuses: for tests about something else than limits. */
export const unlimitedRateLimiter: RateLimiter = { consume: async () => ({ allowed: true }), release: async () => {} };

/** A database of the test's own, migrated, with the Lounge and its rooms seeded: where most stories start. */
export async function seededDatabase(): Promise<{ testDb: TestDatabase; db: Database }> {
  const testDb = await createTestDatabase();
  const db = createPgDatabase(testDb.url);
  await migrate(db);
  await seedLounge(db);
  return { testDb, db };
}

/** The intent pipeline's dependencies as production wires them, with in-memory limits unless given. */
export function intentDeps(db: Database, rateLimiter: RateLimiter = createMemoryRateLimiter()): IntentDeps {
  return { db, rateLimiter, moderation: createModerationDeps(testConfig().moderation) };
}

/** A member of the community, as the host platform would mirror them. `daysAgo` ages the account. */
export async function createMember(
  db: Database,
  handle: string,
  options: { daysAgo?: number; messagesSent?: number; admin?: boolean } = {},
): Promise<UserRow> {
  const user = await upsertUser(db, { hostUserId: `host-${handle}-${randomUUID()}`, handle, displayName: handle });
  await db.query(
    `UPDATE users SET joined_at = now() - make_interval(days => $2), messages_sent = $3, is_global_admin = $4 WHERE id = $1`,
    [user.id, options.daysAgo ?? 30, options.messagesSent ?? 60, options.admin ?? false],
  );
  return { ...user, is_global_admin: options.admin ?? false };
}

export async function loungeRoomId(db: Database, slug = 'general'): Promise<string> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM rooms WHERE slug = $1', [slug]);
  if (!rows[0]) throw new Error(`no room ${slug}; seed first`);
  return rows[0].id;
}

export async function setRole(
  db: Database,
  roomId: string,
  userId: string,
  role: string,
  mutedUntil?: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO room_memberships (room_id, user_id, role, muted_until) VALUES ($1, $2, $3, $4)
     ON CONFLICT (room_id, user_id) DO UPDATE SET role = $3, muted_until = $4`,
    [roomId, userId, role, mutedUntil ?? null],
  );
}

let counter = 0;
/** A well-formed send intent, numbered in client order. */
export function sendIntent(channelId: string, body: string, extra: Record<string, unknown> = {}) {
  counter += 1;
  return { kind: 'send' as const, channelId, body, n: counter, createdAt: Date.now(), ...extra };
}
