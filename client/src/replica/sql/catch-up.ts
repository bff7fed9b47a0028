import { fetchChannelPage, fromHistory, type HistoryMessage } from '../../api/community.ts';
import { isApiError } from '../../api/http.ts';
import type { SqlReplica } from './sql-replica.ts';

/**
 * Brings the SQL replica up to date after time away: for every channel it holds messages of, the
 * messages newer than its newest row are read over REST (newest page first, then older pages until
 * the replica's newest seq is reached) and written as history rows. Channels run a few at a time, so
 * ten rooms cost about as long as the slowest one, without flooding the server.
 *
 * Only channels the member already has rows of are caught up: a room never opened on this device is
 * not pulled in whole just because it exists. The docs of an open room sync on their own; their fuller
 * views (reactions, threads) replace these rows as they arrive.
 */
export interface CatchUpResult {
  channels: number;
  messages: number;
  /** Channels skipped because the server refused them (access lost: the revocation purges them). */
  refused: string[];
}

/** How many channels are read at once. */
const PARALLEL_CHANNELS = 4;
/** At most this many missed messages per channel per catch-up; older ones come when the room is scrolled. */
const MAX_MESSAGES_PER_CHANNEL = 5000;

export async function catchUpReplica(sql: SqlReplica, token: string): Promise<CatchUpResult> {
  const heads = await sql.channelHeads();
  const queue = [...heads.entries()];
  const result: CatchUpResult = { channels: queue.length, messages: 0, refused: [] };
  const workers = Array.from({ length: Math.min(PARALLEL_CHANNELS, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [channelId, newestHeld] = next;
      try {
        result.messages += await catchUpChannel(sql, token, channelId, newestHeld);
      } catch (err) {
        if (isApiError(err) && (err.status === 403 || err.status === 404)) result.refused.push(channelId);
        else throw err;
      }
    }
  });
  await Promise.all(workers);
  if (result.messages > 0) await sql.analyze();
  return result;
}

async function catchUpChannel(sql: SqlReplica, token: string, channelId: string, newestHeld: number): Promise<number> {
  let cursor: string | null | undefined;
  let written = 0;
  const writes: Array<Promise<void>> = [];
  while (written < MAX_MESSAGES_PER_CHANNEL) {
    const page = await fetchChannelPage(token, channelId, cursor);
    const missed = page.messages.filter((m: HistoryMessage) => m.seq > newestHeld);
    if (missed.length > 0) {
      // Written while the next page is on its way.
      writes.push(sql.upsertMessages(missed.map(fromHistory), 'history'));
      written += missed.length;
    }
    const reachedHeld = page.messages.length === 0 || page.messages[0]!.seq <= newestHeld + 1;
    if (reachedHeld || page.olderCursor === null) break;
    cursor = page.olderCursor;
  }
  await Promise.all(writes);
  return written;
}
