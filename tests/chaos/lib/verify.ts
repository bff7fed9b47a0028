import * as Y from 'yjs';
import { readMessages, readMeta } from '../../../shared/sync/channel-doc.ts';
import { parseDocName, type DocName } from '../../../shared/sync/doc-names.ts';
import type { Verdict } from '../../../shared/sync/intents.ts';
import type { Database } from '../../../sync-server/db/database.ts';
import { readChanges } from '../../../sync-server/sync/change-log.ts';
import {
  applyChange,
  loadChannelDoc,
  newServerDoc,
  type ChannelDocName,
} from '../../../sync-server/sync/channel-doc-store.ts';
import type { ChaosDevice } from './chaos-device.ts';

export interface SentIntent {
  id: string;
  phase: string;
  device: number;
  userId: string;
  channelId: string;
  body: string;
  at: number;
}

export interface PgState {
  /** channel id -> messages in seq order */
  messages: Map<string, Array<{ id: string; seq: number; body: string }>>;
  /** intent id -> stored verdict */
  intents: Map<
    string,
    { status: Verdict['status']; seq: number | null; messageId: string | null; code: string | null }
  >;
  /** channel id -> last_seq */
  lastSeq: Map<string, number>;
}

export async function readPgState(db: Database, channelIds: string[], userIds: string[]): Promise<PgState> {
  const messages = new Map<string, Array<{ id: string; seq: number; body: string }>>(channelIds.map((id) => [id, []]));
  const rows = await db.query<{ id: string; channel_id: string; seq: number; body: string }>(
    'SELECT id, channel_id, seq, body FROM messages WHERE channel_id = ANY($1::uuid[]) ORDER BY channel_id, seq',
    [channelIds],
  );
  for (const r of rows.rows) messages.get(r.channel_id)!.push({ id: r.id, seq: Number(r.seq), body: r.body });
  const intents = new Map<
    string,
    { status: Verdict['status']; seq: number | null; messageId: string | null; code: string | null }
  >();
  const ci = await db.query<{
    intent_id: string;
    status: Verdict['status'];
    result: { seq?: number; messageId?: string; code?: string };
  }>('SELECT intent_id, status, result FROM client_intents WHERE user_id = ANY($1::uuid[])', [userIds]);
  for (const r of ci.rows) {
    intents.set(r.intent_id, {
      status: r.status,
      seq: r.result?.seq ?? null,
      messageId: r.result?.messageId ?? null,
      code: r.result?.code ?? null,
    });
  }
  const ls = await db.query<{ id: string; last_seq: number }>(
    'SELECT id, last_seq FROM channels WHERE id = ANY($1::uuid[])',
    [channelIds],
  );
  return { messages, intents, lastSeq: new Map(ls.rows.map((r) => [r.id, Number(r.last_seq)])) };
}

export interface PhaseCounts {
  sent: number;
  accepted: number;
  held: number;
  rejected: number;
  rejectedCodes: Record<string, number>;
  delivered: number;
  lost: number;
  duplicated: number;
  refusedButVisible: number;
  noVerdict: number;
  verdictMismatch: number;
}

export interface ReplicaCheck {
  /** (device, room) pairs compared with Postgres */
  compared: number;
  /** pairs whose messages (ids and seqs, in order) differ from Postgres */
  diverged: number;
  /** rooms whose seqs in Postgres are not exactly 1..N */
  gappyRooms: number;
  examples: string[];
}

export interface Problem {
  intentId: string;
  device: number;
  kind: 'lost' | 'duplicated' | 'refused-visible' | 'no-verdict' | 'verdict-mismatch';
  detail: string;
}

/** Classifies every intent of one phase against Postgres and every replica. */
export function classify(
  intents: SentIntent[],
  devices: ChaosDevice[],
  pg: PgState,
): { counts: PhaseCounts; problems: Problem[] } {
  const counts: PhaseCounts = {
    sent: intents.length,
    accepted: 0,
    held: 0,
    rejected: 0,
    rejectedCodes: {},
    delivered: 0,
    lost: 0,
    duplicated: 0,
    refusedButVisible: 0,
    noVerdict: 0,
    verdictMismatch: 0,
  };
  const problems: Problem[] = [];
  // Index replicas once: channel -> device -> body -> count
  const replicaBodies = new Map<string, Map<number, Map<string, number>>>();
  for (const d of devices) {
    for (const channelId of d.channels.keys()) {
      let perDevice = replicaBodies.get(channelId);
      if (!perDevice) replicaBodies.set(channelId, (perDevice = new Map()));
      const bodies = new Map<string, number>();
      for (const m of d.messages(channelId)) bodies.set(m.body, (bodies.get(m.body) ?? 0) + 1);
      perDevice.set(d.index, bodies);
    }
  }
  const pgBodies = new Map<string, Map<string, number>>();
  for (const [channelId, list] of pg.messages) {
    const bodies = new Map<string, number>();
    for (const m of list) bodies.set(m.body, (bodies.get(m.body) ?? 0) + 1);
    pgBodies.set(channelId, bodies);
  }

  for (const intent of intents) {
    const device = devices[intent.device]!;
    const verdict = device.verdicts.get(intent.id);
    const stored = pg.intents.get(intent.id);
    const status = verdict?.status ?? stored?.status;
    const inPg = pgBodies.get(intent.channelId)?.get(intent.body) ?? 0;
    const replicaCounts = [...(replicaBodies.get(intent.channelId) ?? new Map<number, Map<string, number>>())].map(
      ([index, bodies]) => [index, bodies.get(intent.body) ?? 0] as const,
    );
    const missingOn = replicaCounts.filter(([, n]) => n === 0).map(([i]) => `d${i}`);
    const doubledOn = replicaCounts.filter(([, n]) => n > 1).map(([i, n]) => `d${i}×${n}`);

    if (!verdict) {
      counts.noVerdict += 1;
      problems.push({
        intentId: intent.id,
        device: intent.device,
        kind: 'no-verdict',
        detail: stored
          ? `stored in client_intents as ${stored.status}, but the device never saw the verdict`
          : 'no row in client_intents: never processed',
      });
    } else if (stored && stored.status !== verdict.status) {
      counts.verdictMismatch += 1;
      problems.push({
        intentId: intent.id,
        device: intent.device,
        kind: 'verdict-mismatch',
        detail: `device ${verdict.status}, postgres ${stored.status}`,
      });
    } else if (verdict.status === 'accepted' && stored && verdict.seq !== undefined && stored.seq !== verdict.seq) {
      counts.verdictMismatch += 1;
      problems.push({
        intentId: intent.id,
        device: intent.device,
        kind: 'verdict-mismatch',
        detail: `device seq ${verdict.seq}, postgres seq ${stored.seq}`,
      });
    }

    if (status === 'accepted' || status === 'held') {
      if (status === 'accepted') counts.accepted += 1;
      else counts.held += 1;
      const lostWhere: string[] = [];
      if (inPg === 0) lostWhere.push('postgres messages');
      if (status === 'accepted' && missingOn.length > 0) lostWhere.push(`replicas ${missingOn.join(',')}`);
      const dupWhere: string[] = [];
      if (inPg > 1) dupWhere.push(`postgres ×${inPg}`);
      if (doubledOn.length > 0) dupWhere.push(`replicas ${doubledOn.join(',')}`);
      if (lostWhere.length > 0) {
        counts.lost += 1;
        problems.push({
          intentId: intent.id,
          device: intent.device,
          kind: 'lost',
          detail: `accepted but missing in ${lostWhere.join('; ')}`,
        });
      }
      if (dupWhere.length > 0) {
        counts.duplicated += 1;
        problems.push({ intentId: intent.id, device: intent.device, kind: 'duplicated', detail: dupWhere.join('; ') });
      }
      if (status === 'accepted' && lostWhere.length === 0 && dupWhere.length === 0) counts.delivered += 1;
    } else if (status === 'rejected') {
      counts.rejected += 1;
      const code = (verdict?.status === 'rejected' ? verdict.code : stored?.code) ?? 'unknown';
      counts.rejectedCodes[code] = (counts.rejectedCodes[code] ?? 0) + 1;
      const visible = inPg > 0 || replicaCounts.some(([, n]) => n > 0);
      if (visible) {
        counts.refusedButVisible += 1;
        problems.push({
          intentId: intent.id,
          device: intent.device,
          kind: 'refused-visible',
          detail: `rejected (${code}) but visible`,
        });
      }
    } else {
      // Never processed: must not be visible anywhere either.
      const visible = inPg > 0 || replicaCounts.some(([, n]) => n > 0);
      if (visible) {
        counts.duplicated += inPg > 1 ? 1 : 0;
        problems.push({
          intentId: intent.id,
          device: intent.device,
          kind: 'refused-visible',
          detail: 'visible although no verdict and no client_intents row',
        });
      }
    }
  }
  return { counts, problems };
}

/** Every replica of every room holds exactly Postgres's messages, with the same seqs, in the same order. */
export function checkReplicas(devices: ChaosDevice[], pg: PgState): ReplicaCheck {
  const check: ReplicaCheck = { compared: 0, diverged: 0, gappyRooms: 0, examples: [] };
  for (const [channelId, list] of pg.messages) {
    if (list.some((m, i) => m.seq !== i + 1)) {
      check.gappyRooms += 1;
      check.examples.push(`room ${channelId}: postgres seqs are not gapless 1..${list.length}`);
    }
    const expected = list.map((m) => `${m.seq}:${m.id}`).join(',');
    for (const d of devices) {
      if (!d.channels.has(channelId)) continue;
      check.compared += 1;
      const got = d
        .messages(channelId)
        .map((m) => `${m.seq}:${m.id}`)
        .join(',');
      if (got !== expected) {
        check.diverged += 1;
        if (check.examples.length < 8) {
          const mine = d.messages(channelId);
          const ids = new Set(mine.map((m) => m.id));
          const missing = list.filter((m) => !ids.has(m.id)).map((m) => m.seq);
          const pgIds = new Set(list.map((m) => m.id));
          const extra = mine.filter((m) => !pgIds.has(m.id)).map((m) => m.seq);
          check.examples.push(
            `d${d.index} room ${channelId.slice(0, 8)}: replica ${mine.length} msgs vs postgres ${list.length}` +
              (missing.length
                ? `; missing seqs ${missing.slice(0, 10).join(',')}${missing.length > 10 ? '…' : ''}`
                : '') +
              (extra.length ? `; extra seqs ${extra.slice(0, 10).join(',')}` : ''),
          );
        }
      }
    }
  }
  return check;
}

/** Cheap quiescence test: every replica holds as many messages as Postgres, up to the same last seq. */
export function replicasCaughtUp(devices: ChaosDevice[], pg: PgState): boolean {
  for (const [channelId, list] of pg.messages) {
    for (const d of devices) {
      if (!d.channels.has(channelId)) continue;
      const mine = d.messages(channelId);
      if (mine.length !== list.length || (mine.at(-1)?.seq ?? 0) !== (list.at(-1)?.seq ?? 0)) return false;
    }
  }
  return true;
}

export interface SnapshotCheck {
  snapshots: number;
  /** channel docs whose load from snapshot + log differs from a replay of the whole log */
  mismatched: number;
  examples: string[];
}

/**
 * Every stored channel-doc snapshot is a valid starting point: loading the doc (snapshot + changes after
 * it) gives exactly what replaying the whole change log from nothing gives.
 */
export async function checkSnapshots(db: Database): Promise<SnapshotCheck> {
  const { rows } = await db.query<{ doc_name: string }>(
    "SELECT doc_name FROM doc_snapshots WHERE doc_name LIKE 'ch.%'",
  );
  const result: SnapshotCheck = { snapshots: rows.length, mismatched: 0, examples: [] };
  for (const { doc_name } of rows) {
    const parsed = parseDocName(doc_name) as DocName | undefined;
    if (parsed?.kind !== 'channel-meta' && parsed?.kind !== 'channel-segment') continue;
    const name: ChannelDocName = parsed;
    try {
      const loaded = await loadChannelDoc(db, name);
      const scratch = newServerDoc();
      const changes = await readChanges(db, name.channelId, {
        afterSeq: 0,
        untilSeq: loaded.changeSeq,
        ...(name.kind === 'channel-segment' ? { segment: name.segment } : {}),
      });
      for (const change of changes) applyChange(scratch, name, change);
      const view = (doc: Y.Doc) =>
        JSON.stringify(
          name.kind === 'channel-meta'
            ? { ...readMeta(doc), segments: [...readMeta(doc).segments], pins: [...readMeta(doc).pins] }
            : readMessages(doc, name.channelId),
        );
      if (view(loaded.doc) !== view(scratch)) {
        result.mismatched += 1;
        if (result.examples.length < 5) result.examples.push(`${doc_name}: snapshot+log differs from a full replay`);
      }
      loaded.doc.destroy();
      scratch.destroy();
    } catch (err) {
      result.mismatched += 1;
      if (result.examples.length < 5) result.examples.push(`${doc_name}: cannot be loaded (${(err as Error).message})`);
    }
  }
  return result;
}
