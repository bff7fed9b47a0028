import { coalescedRead } from '../../db/coalesced-read.ts';
import type { Database, Queryable } from '../../db/database.ts';

export interface UserRow {
  id: string;
  host_user_id: string;
  handle: string;
  display_name: string;
  avatar_url: string | null;
  is_global_admin: boolean;
  messages_sent: number;
  joined_at: Date;
}

export interface ApiUser {
  id: string;
  handle: string;
  displayName: string;
  avatarUrl: string | null;
  isGlobalAdmin: boolean;
}

export function toApiUser(row: UserRow): ApiUser {
  return {
    id: row.id,
    handle: row.handle,
    displayName: row.display_name,
    avatarUrl: row.avatar_url,
    isGlobalAdmin: row.is_global_admin,
  };
}

const USER_COLUMNS = 'id, host_user_id, handle, display_name, avatar_url, is_global_admin, messages_sent, joined_at';

export async function findUserByHostId(db: Queryable, hostUserId: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE host_user_id = $1`, [hostUserId]);
  return rows[0];
}

export async function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0];
}

/**
 * findUserById / findUserByHostId for the many concurrent callers of a reconnect storm (every WebSocket
 * upgrade, every signed-in request): the lookups of one event-loop turn are one query.
 */
export function readUserById(db: Database, id: string): Promise<UserRow | undefined> {
  return coalescedRead(db, 'users-by-id', readUsersById)(id);
}

export function readUserByHostId(db: Database, hostUserId: string): Promise<UserRow | undefined> {
  return coalescedRead(db, 'users-by-host-id', readUsersByHostId)(hostUserId);
}

async function readUsersById(db: Database, ids: readonly string[]): Promise<Map<string, UserRow>> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::uuid[])`, [ids]);
  return new Map(rows.map((r) => [r.id, r]));
}

async function readUsersByHostId(db: Database, hostIds: readonly string[]): Promise<Map<string, UserRow>> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE host_user_id = ANY($1::text[])`, [
    hostIds,
  ]);
  return new Map(rows.map((r) => [r.host_user_id, r]));
}

export class HandleTakenError extends Error {
  constructor(handle: string) {
    super(`The handle "${handle}" is already taken by another member.`);
    this.name = 'HandleTakenError';
  }
}

/**
 * Creates or refreshes the mirror of a host-platform user. Idempotent by the host's id; a handle that
 * belongs to a different host user is refused rather than silently stolen.
 */
export async function upsertUser(
  db: Queryable,
  user: { hostUserId: string; handle: string; displayName: string; avatarUrl?: string | null },
): Promise<UserRow> {
  try {
    // The member and their settings row in one statement (one commit on a first visit).
    const { rows } = await db.query<UserRow>(
      `WITH u AS (
         INSERT INTO users (host_user_id, handle, display_name, avatar_url)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (host_user_id) DO UPDATE
           SET handle = EXCLUDED.handle, display_name = EXCLUDED.display_name,
               avatar_url = COALESCE(EXCLUDED.avatar_url, users.avatar_url), updated_at = now()
         RETURNING ${USER_COLUMNS}),
       s AS (INSERT INTO user_settings (user_id) SELECT id FROM u ON CONFLICT (user_id) DO NOTHING)
       SELECT * FROM u`,
      [user.hostUserId, user.handle, user.displayName, user.avatarUrl ?? null],
    );
    return rows[0]!;
  } catch (err) {
    if ((err as { constraint?: string }).constraint === 'users_handle_lower_key') {
      throw new HandleTakenError(user.handle);
    }
    throw err;
  }
}
