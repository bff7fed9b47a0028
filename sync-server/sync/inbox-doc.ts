import * as Y from 'yjs';
import type { InboxMapName, InboxMaps } from '../../shared/sync/inbox.ts';
import type { Verdict } from '../../shared/sync/intents.ts';
import type { InboxEntry } from '../intents/handler-context.ts';
import { verdictFromRow, type StoredIntent } from '../intents/process-intent.ts';
import { coalescedRead } from '../db/coalesced-read.ts';
import type { Database } from '../db/database.ts';

// A member's inbox keeps recent verdicts only; older answers stay in Postgres (client_intents).
const INBOX_VERDICTS_KEPT = 500;

interface InboxRows {
  intents: Array<StoredIntent & { intent_id: string }>;
  dms: Array<{ id: string; is_group: boolean; title: string | null; participant_ids: string[] | null }>;
  relations: Array<{ map: 'blocked' | 'muted'; other: string }>;
}

/** Rebuilt from Postgres on load: the verdicts of the member's recent intents, their DMs, blocks and mutes. */
export async function loadInboxDoc(db: Database, userId: string): Promise<Y.Doc> {
  // Read together with every other member's inbox asked for in this turn (a reconnect storm).
  const rows = (await coalescedRead(db, 'inboxes', readInboxRows)(userId)) ?? { intents: [], dms: [], relations: [] };
  const doc = new Y.Doc({ guid: `inbox.${userId}` });
  doc.transact(() => {
    const dmMap = inboxMap(doc, 'dms');
    for (const d of rows.dms) {
      dmMap.set(d.id, {
        channelId: d.id,
        isGroup: d.is_group,
        title: d.title,
        participantIds: d.participant_ids ?? [],
      });
    }
    for (const r of rows.relations) inboxMap(doc, r.map).set(r.other, true);
    const verdicts = doc.getMap<Verdict>('verdicts');
    for (const row of rows.intents) verdicts.set(row.intent_id, verdictFromRow(row));
  });
  return doc;
}

/** Many members' inbox rows, three queries whatever their number. */
async function readInboxRows(db: Database, userIds: readonly string[]): Promise<Map<string, InboxRows>> {
  const [intents, dms, relations] = await Promise.all([
    db.query<StoredIntent & { intent_id: string; user_id: string }>(
      `SELECT q.user_id, ci.intent_id, ci.status, ci.reason, ci.result, ci.created_at
         FROM unnest($1::uuid[]) AS q(user_id)
         CROSS JOIN LATERAL (
           SELECT intent_id, status, reason, result, created_at FROM client_intents
            WHERE user_id = q.user_id AND created_at > now() - interval '1 day'
            ORDER BY created_at DESC LIMIT $2) ci`,
      [userIds, INBOX_VERDICTS_KEPT],
    ),
    db.query<InboxRows['dms'][number] & { user_id: string }>(
      `SELECT me.user_id, d.id, d.is_group, d.title,
            (SELECT array_agg(p.user_id::text ORDER BY p.joined_at, p.user_id) FROM dm_participants p
              WHERE p.dm_thread_id = d.id AND p.left_at IS NULL) AS participant_ids
       FROM dm_threads d JOIN dm_participants me
         ON me.dm_thread_id = d.id AND me.user_id = ANY($1::uuid[]) AND me.left_at IS NULL`,
      [userIds],
    ),
    db.query<InboxRows['relations'][number] & { user_id: string }>(
      `SELECT blocker_id AS user_id, 'blocked' AS map, blocked_id AS other FROM user_blocks WHERE blocker_id = ANY($1::uuid[])
     UNION ALL SELECT muter_id, 'muted', muted_id FROM user_mutes WHERE muter_id = ANY($1::uuid[])`,
      [userIds],
    ),
  ]);
  const byUser = new Map<string, InboxRows>(userIds.map((id) => [id, { intents: [], dms: [], relations: [] }]));
  for (const r of intents.rows) byUser.get(r.user_id)?.intents.push(r);
  for (const r of dms.rows) byUser.get(r.user_id)?.dms.push(r);
  for (const r of relations.rows) byUser.get(r.user_id)?.relations.push(r);
  return byUser;
}

export function setVerdicts(doc: Y.Doc, list: ReadonlyArray<{ intentId: string; verdict: Verdict }>): void {
  const verdicts = doc.getMap<Verdict>('verdicts');
  doc.transact(() => {
    for (const { intentId, verdict } of list) verdicts.set(intentId, verdict);
    if (verdicts.size > INBOX_VERDICTS_KEPT) {
      const oldest = [...verdicts.entries()]
        .sort((a, b) => a[1].at - b[1].at)
        .slice(0, verdicts.size - INBOX_VERDICTS_KEPT);
      for (const [id] of oldest) verdicts.delete(id);
    }
  });
}

export function setRevoked(doc: Y.Doc, channelId: string, reason: string): void {
  doc.getMap<{ reason: string; at: number }>('revoked').set(channelId, { reason, at: Date.now() });
}

export function inboxMap<M extends InboxMapName>(doc: Y.Doc, name: M): Y.Map<InboxMaps[M]> {
  return doc.getMap<InboxMaps[M]>(name);
}

/** Writes (or, with a null value, removes) one entry of an inbox map. */
export function setInboxEntry(doc: Y.Doc, entry: InboxEntry): void {
  const map = inboxMap(doc, entry.map) as Y.Map<unknown>;
  if (entry.value === null) map.delete(entry.key);
  else map.set(entry.key, entry.value);
}
