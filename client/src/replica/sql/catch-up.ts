import { fetchChannelPage, fromHistory, type HistoryMessage } from '../../api/community.ts';
import { isApiError } from '../../api/http.ts';
import { LIMITS } from '../../../../shared/rules/limits.ts';
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
  /** performance.now() when every page was read (the write follows). */
  readAt: number;
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
  const result: CatchUpResult = { channels: queue.length, messages: 0, readAt: 0, refused: [] };
  const missed: HistoryMessage[] = [];
  const workers = Array.from({ length: Math.min(PARALLEL_CHANNELS, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [channelId, newestHeld] = next;
      try {
        missed.push(...(await readMissed(token, channelId, newestHeld)));
      } catch (err) {
        if (isApiError(err) && (err.status === 403 || err.status === 404)) result.refused.push(channelId);
        else throw err;
      }
    }
  });
  await Promise.all(workers);
  result.readAt = performance.now();
  // Written together at the end: every write makes PGlite copy the changed files to IndexedDB, so one
  // batch of ten thousand rows costs far less than a hundred batches of a hundred.
  if (missed.length > 0) {
    await sql.upsertMessages(missed.map(fromHistory), 'history');
    // Statistics for the planner after a large batch; the rows are there already, so not waited for.
    void sql.analyze();
  }
  result.messages = missed.length;
  return result;
}

/** The messages of one channel newer than `newestHeld`, newest pages first, at most MAX_MESSAGES_PER_CHANNEL. */
async function readMissed(token: string, channelId: string, newestHeld: number): Promise<HistoryMessage[]> {
  let cursor: string | null | undefined;
  const out: HistoryMessage[] = [];
  while (out.length < MAX_MESSAGES_PER_CHANNEL) {
    const page = await fetchChannelPage(token, channelId, cursor, LIMITS.history.pageSizeMax);
    out.push(...page.messages.filter((m) => m.seq > newestHeld));
    const reachedHeld = page.messages.length === 0 || page.messages[0]!.seq <= newestHeld + 1;
    if (reachedHeld || page.olderCursor === null) break;
    cursor = page.olderCursor;
  }
  return out;
}
