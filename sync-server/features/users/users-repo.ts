import DataLoader from 'dataloader';
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
 * The members of `source` (rows of host_user_id, handle, display_name, avatar_url) and their settings rows
 * in one statement (one commit on a first visit); answers the members' rows.
 */
const upsertMirrors = (source: string) => `
  WITH v AS (${source}),
       u AS (
         INSERT INTO users (host_user_id, handle, display_name, avatar_url)
         SELECT host_user_id, handle, display_name, avatar_url FROM v
         ON CONFLICT (host_user_id) DO UPDATE
           SET handle = EXCLUDED.handle, display_name = EXCLUDED.display_name,
               avatar_url = COALESCE(EXCLUDED.avatar_url, users.avatar_url), updated_at = now()
         RETURNING ${USER_COLUMNS}),
       s AS (INSERT INTO user_settings (user_id) SELECT id FROM u ON CONFLICT (user_id) DO NOTHING)
  SELECT * FROM u`;

/**
 * Creates or refreshes the mirror of a host-platform user. Idempotent by the host's id; a handle that
 * belongs to a different host user is refused rather than silently stolen.
 */
export async function upsertUser(
  db: Queryable,
  user: { hostUserId: string; handle: string; displayName: string; avatarUrl?: string | null },
): Promise<UserRow> {
  try {
    const { rows } = await db.query<UserRow>(
      upsertMirrors(
        'SELECT $1::text AS host_user_id, $2::text AS handle, $3::text AS display_name, $4::text AS avatar_url',
      ),
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

export interface HostUserClaims {
  hostUserId: string;
  handle: string;
  displayName: string;
  avatarUrl?: string | null;
}

const firstVisitWriters = new WeakMap<Database, DataLoader<HostUserClaims, UserRow>>();

/**
 * upsertUser for first visits arriving together (a cohort invited at once, a storm of new connections):
 * the mirrors asked for in one event-loop turn are written by one statement — one commit instead of one
 * per member. When that statement is refused (a handle already taken by another member), each member is
 * written alone, so only the one whose handle is taken gets HandleTakenError.
 */
export function mirrorHostUser(db: Database, user: HostUserClaims): Promise<UserRow> {
  let writer = firstVisitWriters.get(db);
  if (!writer) {
    writer = new DataLoader<HostUserClaims, UserRow>((users) => upsertUsersTogether(db, users), {
      cache: false,
      maxBatchSize: 200,
      batchScheduleFn: (run) => setImmediate(run),
    });
    firstVisitWriters.set(db, writer);
  }
  return writer.load(user);
}

async function upsertUsersTogether(db: Database, users: readonly HostUserClaims[]): Promise<Array<UserRow | Error>> {
  const alone = (u: HostUserClaims) => upsertUser(db, u).catch((err: unknown) => asError(err));
  if (users.length === 1) return [await alone(users[0]!)];
  // One row per host user (the last claims asked for win): a statement cannot update a row twice.
  const latest = [...new Map(users.map((u) => [u.hostUserId, u])).values()];
  let rows: UserRow[];
  try {
    // A member whose handle belongs to someone else is left out here (and answered alone below), so one
    // taken handle does not send the whole cohort down the slow path.
    ({ rows } = await db.query<UserRow>(
      upsertMirrors(
        `SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS v(host_user_id, handle, display_name, avatar_url)
          WHERE NOT EXISTS (SELECT 1 FROM users x
                             WHERE lower(x.handle) = lower(v.handle) AND x.host_user_id <> v.host_user_id)`,
      ),
      [
        latest.map((u) => u.hostUserId),
        latest.map((u) => u.handle),
        latest.map((u) => u.displayName),
        latest.map((u) => u.avatarUrl ?? null),
      ],
    ));
  } catch {
    // Two newcomers claiming one handle, or a handle taken in the meantime: each is answered on its own.
    return Promise.all(users.map(alone));
  }
  const byHostId = new Map(rows.map((r) => [r.host_user_id, r]));
  return Promise.all(users.map((u) => byHostId.get(u.hostUserId) ?? alone(u)));
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));
