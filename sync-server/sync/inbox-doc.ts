import * as Y from 'yjs';
import type { Verdict } from '../../shared/sync/intents.ts';
import type { Database } from '../db/database.ts';

// A member's inbox keeps recent verdicts only; older answers stay in Postgres (client_intents).
const INBOX_VERDICTS_KEPT = 500;

/** Rebuilt from Postgres on load: the verdicts of the member's recent intents. */
export async function loadInboxDoc(db: Database, userId: string): Promise<Y.Doc> {
  const { rows } = await db.query<{
    intent_id: string;
    status: Verdict['status'];
    reason: string | null;
    result: { code?: string; messageId?: string; channelId?: string; seq?: number; retryAfterMs?: number };
    created_at: Date;
  }>(
    `SELECT intent_id, status, reason, result, created_at FROM client_intents
      WHERE user_id = $1 AND created_at > now() - interval '1 day'
      ORDER BY created_at DESC LIMIT $2`,
    [userId, INBOX_VERDICTS_KEPT],
  );
  const doc = new Y.Doc();
  const verdicts = doc.getMap<Verdict>('verdicts');
  doc.transact(() => {
    for (const row of rows) {
      const at = row.created_at.getTime();
      const { code, retryAfterMs, ...ids } = row.result;
      const verdict: Verdict =
        row.status === 'rejected'
          ? { status: 'rejected', at, code: code ?? 'rejected', reason: row.reason ?? 'Refused.', ...(retryAfterMs ? { retryAfterMs } : {}) }
          : row.status === 'held'
            ? { status: 'held', at, reason: row.reason ?? 'Held for review.', ...ids }
            : { status: 'accepted', at, ...ids };
      verdicts.set(row.intent_id, verdict);
    }
  });
  return doc;
}

export function setVerdict(doc: Y.Doc, intentId: string, verdict: Verdict): void {
  const verdicts = doc.getMap<Verdict>('verdicts');
  doc.transact(() => {
    verdicts.set(intentId, verdict);
    if (verdicts.size > INBOX_VERDICTS_KEPT) {
      const oldest = [...verdicts.entries()].sort((a, b) => a[1].at - b[1].at).slice(0, verdicts.size - INBOX_VERDICTS_KEPT);
      for (const [id] of oldest) verdicts.delete(id);
    }
  });
}

export function setRevoked(doc: Y.Doc, channelId: string, reason: string): void {
  doc.getMap<{ reason: string; at: number }>('revoked').set(channelId, { reason, at: Date.now() });
}
