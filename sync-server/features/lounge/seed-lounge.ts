import { LOUNGE_SEED } from '../../../shared/seed/lounge-rooms.ts';
import type { Database } from '../../db/database.ts';

const SEED_LOCK_KEY = 7_420_002;

/**
 * Creates The Lounge and its rooms if they are missing. Safe to run on every start and on several nodes
 * at once: every insert is keyed by slug and skips what exists; existing rooms keep admins' edits.
 */
export async function seedLounge(db: Database): Promise<{ loungeId: string; createdRooms: number }> {
  return db.transaction(async (tx) => {
    // Two nodes starting together would otherwise both see a room missing and race to insert it.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
    await tx.query(
      `INSERT INTO lounges (slug, name, description) VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING`,
      [LOUNGE_SEED.slug, LOUNGE_SEED.name, LOUNGE_SEED.description],
    );
    const { rows } = await tx.query<{ id: string }>('SELECT id FROM lounges WHERE slug = $1', [LOUNGE_SEED.slug]);
    const loungeId = rows[0]!.id;
    let createdRooms = 0;
    for (const [position, room] of LOUNGE_SEED.rooms.entries()) {
      const exists = await tx.query('SELECT 1 FROM rooms WHERE lounge_id = $1 AND slug = $2', [loungeId, room.slug]);
      if (exists.rows.length > 0) continue;
      const channel = await tx.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
      await tx.query(
        `INSERT INTO rooms (id, lounge_id, slug, name, description, emoji, room_type, context_type, auto_thread,
                            position, is_default)
         VALUES ($1, $2, $3, $4, $5, $6, 'lounge', $7, $8, $9, true)`,
        [
          channel.rows[0]!.id,
          loungeId,
          room.slug,
          room.name,
          room.description,
          room.emoji,
          room.contextType,
          room.contextType === 'help',
          position,
        ],
      );
      createdRooms += 1;
    }
    return { loungeId, createdRooms };
  });
}
