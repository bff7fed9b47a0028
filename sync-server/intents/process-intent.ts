import { intentSchema, type Intent, type Verdict } from '../../shared/sync/intents.ts';
import { unreachable } from '../../shared/rules/unreachable.ts';
import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import { isDataRefusal, type Database, type Queryable } from '../db/database.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';
import type { ModerationDeps } from '../moderation/moderation-deps.ts';
import type { HandlerContext, HandlerResult, InboxEntry, Revocation } from './handler-context.ts';
import { moderateMember } from './handlers/moderate-member.ts';
import { approveMessage } from './handlers/approve-message.ts';
import { reportMessage } from './handlers/report-message.ts';
import { createThread } from './handlers/create-thread.ts';
import { deleteMessage } from './handlers/delete-message.ts';
import { editMessage } from './handlers/edit-message.ts';
import { hideMessage } from './handlers/hide-message.ts';
import { markRead } from './handlers/mark-read.ts';
import { readNotifications } from './handlers/read-notifications.ts';
import { pinMessage } from './handlers/pin-message.ts';
import { react } from './handlers/react.ts';
import { sendMessage } from './handlers/send-message.ts';
import { startDm } from './handlers/start-dm.ts';
import { leaveDm, renameDm } from './handlers/group-dm.ts';
import { setThreadState } from './handlers/thread-state.ts';
import { followThread } from './handlers/follow-thread.ts';
import { IntentRefusal, refusalRecord } from './refusal.ts';
import {
  loadSendReads,
  prefetchAllowances,
  sendMessages,
  type PendingSend,
  type SendIntent,
  type SendOutcome,
  type SendReads,
} from './send-batch.ts';
import { sendInOneStatement, type StatementOutcome } from './send-statement.ts';
import { opaqueArray } from '../db/opaque-array.ts';

export interface IntentDeps {
  db: Database;
  rateLimiter: RateLimiter;
  moderation: ModerationDeps;
  now?: () => Date;
  /** Told of a fault of this program (a bug) that refused an intent. */
  onFault?: (err: unknown) => void;
}

export interface IntentOutcome {
  verdict: Verdict;
  /** Changes committed by this call (empty for a duplicate: they were committed the first time). */
  changes: ChannelChange[];
  /** Inbox entries to write for members (also empty for a duplicate: inbox docs are rebuilt from rows). */
  inbox: InboxEntry[];
  revoke: Revocation[];
  /** Message ids to hand to Layer-2 moderation (new or edited words). */
  moderate: string[];
  duplicate: boolean;
}

function runHandler(ctx: HandlerContext, intent: Intent): Promise<HandlerResult> {
  switch (intent.kind) {
    case 'send':
      return sendMessage(ctx, intent);
    case 'edit':
      return editMessage(ctx, intent);
    case 'delete':
      return deleteMessage(ctx, intent);
    case 'react':
    case 'unreact':
      return react(ctx, intent);
    case 'pin':
      return pinMessage(ctx, intent);
    case 'hide':
      return hideMessage(ctx, intent);
    case 'approve':
      return approveMessage(ctx, intent);
    case 'create_thread':
      return createThread(ctx, intent);
    case 'thread_state':
      return setThreadState(ctx, intent);
    case 'follow_thread':
      return followThread(ctx, intent);
    case 'mark_read':
      return markRead(ctx, intent);
    case 'read_notifications':
      return readNotifications(ctx, intent);
    case 'start_dm':
      return startDm(ctx, intent);
    case 'leave_dm':
      return leaveDm(ctx, intent);
    case 'rename_dm':
      return renameDm(ctx, intent);
    case 'report':
      return reportMessage(ctx, intent);
    case 'moderate_member':
      return moderateMember(ctx, intent);
    default:
      return unreachable(intent);
  }
}

export interface StoredIntent {
  status: Verdict['status'];
  reason: string | null;
  result: {
    code?: string;
    messageId?: string;
    channelId?: string;
    seq?: number;
    retryAfterMs?: number;
    /** A waiting intent: when it is decided again (epoch ms). */
    retryAt?: number;
  };
  created_at: Date;
}

/** The verdict a stored client_intents row stands for (answered again on retries, rebuilt into inboxes). */
export function verdictFromRow(row: StoredIntent): Verdict {
  const at = row.created_at.getTime();
  const { code, retryAfterMs, retryAt, ...ids } = row.result;
  if (row.status === 'waiting') {
    return {
      status: 'waiting',
      at,
      code: code ?? 'rate_limited',
      reason: row.reason ?? 'Waiting.',
      retryAt: retryAt ?? at,
    };
  }
  if (row.status === 'rejected') {
    return {
      status: 'rejected',
      at,
      code: code ?? 'rejected',
      reason: row.reason ?? 'Refused.',
      ...(retryAfterMs ? { retryAfterMs } : {}),
    };
  }
  if (row.status === 'held') return { status: 'held', at, reason: row.reason ?? 'Held for review.', ...ids };
  return { status: 'accepted', at, ...ids };
}

/**
 * A database error that would happen again on every retry (bad data, a violated constraint) becomes a
 * refusal: otherwise the intent would be retried forever and block the member's later intents.
 */
function asDeterministicRefusal(err: unknown, onFault?: (err: unknown) => void): IntentRefusal | undefined {
  if (isDataRefusal(err))
    return new IntentRefusal('invalid', 'This could not be saved because some of its content is not valid.');
  if (!isProgramFault(err)) return undefined;
  onFault?.(err);
  return new IntentRefusal(
    'internal',
    'Lounge could not process this because of a fault on its side, so nothing was changed. Please try again later.',
  );
}

/**
 * A bug of this program, not a state of the world: the same intent fails the same way on every retry.
 * Taken for transient (like a lost connection), it would leave the member's outbox retrying it every few
 * seconds for good, with every intent they make after it queued behind. Refused instead, alone: the
 * member sees why and goes on; the fault is logged.
 */
function isProgramFault(err: unknown): boolean {
  return err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError;
}

export interface IntentGroup {
  userId: string;
  /** In the member's order. */
  intents: ReadonlyArray<{ intentId: string; raw: unknown }>;
}

interface Item {
  userId: string;
  intentId: string;
  parsed: ReturnType<typeof intentSchema.safeParse>;
}

interface Decision {
  status: Verdict['status'];
  reason: string | null;
  result: StoredIntent['result'];
  channelId: string | null;
  changes: ChannelChange[];
  inbox: InboxEntry[];
  revoke: Revocation[];
  moderate: string[];
}

const itemKey = (userId: string, intentId: string) => `${userId}:${intentId}`;

/** Processes one intent exactly once (a batch of one; see processBatch). */
export async function processIntent(
  deps: IntentDeps,
  userId: string,
  intentId: string,
  raw: unknown,
): Promise<IntentOutcome> {
  const [outcomes] = await processBatch(deps, [{ userId, intents: [{ intentId, raw }] }]);
  return outcomes![0]!;
}

/**
 * Processes the intents of many members in one transaction, each exactly once, and answers their
 * outcomes per group in the given order. Group commit: the transaction's fixed costs (commit, the
 * intent records, the sends' reads and writes) are paid once per batch instead of once per intent.
 *
 * Exactly once: every (member, intent id) row is inserted first, in the same transaction as the
 * writes, so a retry, a second device or a second node racing on the same id finds the row and
 * answers the stored verdict instead of writing again. A refusal undoes that intent's writes (its
 * savepoint) but keeps its row with the reason, so the answer stays the same on every retry; so does a
 * fault of this program (a TypeError, …), which would fail the same way on every retry. Other errors
 * (database down, deadlock) roll the whole batch back: no verdicts, the members' outboxes retry.
 *
 * Order: each member's intents are decided in their order. Sends at the head of a member's list go
 * through the set-wise send path together with everyone else's; the rest follow one by one.
 */
export async function processBatch(deps: IntentDeps, groups: readonly IntentGroup[]): Promise<IntentOutcome[][]> {
  const now = deps.now?.() ?? new Date();
  const items = groups.map((g) =>
    g.intents.map((i): Item => ({ userId: g.userId, intentId: i.intentId, parsed: intentSchema.safeParse(i.raw) })),
  );
  // The same id twice in one batch is answered once; the copy reports a duplicate.
  const firsts = new Map<string, Item>();
  for (const item of items.flat())
    if (!firsts.has(itemKey(item.userId, item.intentId))) firsts.set(itemKey(item.userId, item.intentId), item);
  const unique = [...firsts.values()];

  // With connections to spare (PostgreSQL), the sends' reads run beside the transaction's first
  // statements instead of after them; PGlite has one connection, so they run inside the transaction.
  const headSends = items.flatMap((group) =>
    group
      .slice(0, headLength(group))
      .flatMap((item): PendingSend[] =>
        item.parsed.success && item.parsed.data.kind === 'send'
          ? [{ userId: item.userId, intentId: item.intentId, intent: item.parsed.data }]
          : [],
      ),
  );
  // The rate limiter is asked at the same time (prefetchAllowances), for members with one send here.
  const readAhead = deps.db.kind === 'postgres' && headSends.length > 0;
  const allowances = readAhead ? prefetchAllowances({ now, rateLimiter: deps.rateLimiter }, headSends) : undefined;
  const reads = readAhead
    ? loadSendReads(deps.db, headSends, now).then((loaded) => ({ ...loaded, allowances }))
    : undefined;
  // An unawaited read that fails must not be an unhandled rejection when the transaction fails first.
  reads?.catch(() => {});

  // The common case — nothing but new sends — goes in one statement when it can (see send-statement.ts).
  const total = items.reduce((n, group) => n + group.length, 0);
  if (reads && headSends.length === total && unique.length === total) {
    let simple: StatementOutcome[] | undefined;
    try {
      simple = await sendInOneStatement(
        deps.db,
        { now, rateLimiter: deps.rateLimiter, moderation: deps.moderation },
        headSends,
        await reads,
      );
    } catch (err) {
      // A fault of the fast path: the general path below decides each intent on its own.
      if (!isProgramFault(err)) throw err;
      deps.onFault?.(err);
    }
    if (simple) return regroup(items, simple);
  }

  const attempt = (setWise: boolean) =>
    deps.db.transaction(async (tx) => {
      const { rows: fresh } = await tx.query<{ user_id: string; intent_id: string }>(
        `INSERT INTO client_intents (user_id, intent_id, kind, status)
         SELECT u, i, k, 'accepted' FROM unnest(${opaqueArray('$1', 'uuid[]')}, ${opaqueArray('$2', 'uuid[]')}, ${opaqueArray('$3', 'text[]')}) AS v(u, i, k)
         ON CONFLICT (user_id, intent_id) DO UPDATE SET status = 'accepted' WHERE client_intents.status = 'waiting'
         RETURNING user_id, intent_id`,
        [
          unique.map((i) => i.userId),
          unique.map((i) => i.intentId),
          unique.map((i) => (i.parsed.success ? i.parsed.data.kind : 'invalid')),
        ],
      );
      // A waiting intent's row counts as fresh: it is decided again (the row lock makes one node do it).
      const freshKeys = new Set(fresh.map((r) => itemKey(r.user_id, r.intent_id)));
      const stored = await loadStored(
        tx,
        unique.filter((i) => !freshKeys.has(itemKey(i.userId, i.intentId))),
      );

      const decided = new Map<Item, Decision>();
      const ctx = { tx, now, rateLimiter: deps.rateLimiter, moderation: deps.moderation, onFault: deps.onFault };
      const head: Array<{ item: Item; intent: SendIntent }> = [];
      const rest: Array<{ item: Item; intent: Intent }> = [];
      for (const group of items) {
        // The same head as the reads above were fetched for, whichever of its intents turn out answered before.
        const headEnd = setWise ? headLength(group) : 0;
        group.forEach((item, i) => {
          if (
            !freshKeys.has(itemKey(item.userId, item.intentId)) ||
            firsts.get(itemKey(item.userId, item.intentId)) !== item
          )
            return;
          if (!item.parsed.success) {
            decided.set(item, invalidDecision(item.parsed.error));
            return;
          }
          const intent = item.parsed.data;
          if (i < headEnd && intent.kind === 'send') head.push({ item, intent });
          else rest.push({ item, intent });
        });
      }
      if (head.length > 0) await decideSends(ctx, head, decided, reads ? await reads : undefined);
      for (const { item, intent } of rest) decided.set(item, await decideOne(ctx, item, intent));

      const verdicts = await recordDecisions(tx, decided);
      return items.map((group) =>
        group.map((item): IntentOutcome => {
          const key = itemKey(item.userId, item.intentId);
          const decision = firsts.get(key) === item ? decided.get(item) : undefined;
          const verdict = decision ? verdicts.get(key) : (stored.get(key) ?? verdicts.get(key));
          if (!verdict) throw new Error(`intent ${key} has no verdict`);
          if (!decision) return { verdict, changes: [], inbox: [], revoke: [], moderate: [], duplicate: true };
          const { changes, inbox, revoke, moderate } = decision;
          return { verdict, changes, inbox, revoke, moderate, duplicate: false };
        }),
      );
    });

  try {
    return await attempt(true);
  } catch (err) {
    if (!(err instanceof SetWiseRefused)) throw err;
    // One message the database refuses (bad data) must not sink the others: the batch runs again with
    // every intent alone in its savepoint, so the refusal lands on the one that caused it. Rare, so
    // the common path pays no savepoint round trips for it.
    return attempt(false);
  }
}

/** The one statement's outcomes (in the batch's flat order) back into the members' groups. */
function regroup(items: readonly Item[][], outcomes: readonly StatementOutcome[]): IntentOutcome[][] {
  let next = 0;
  return items.map((group) =>
    group.map((): IntentOutcome => {
      const { row, accepted } = outcomes[next++]!;
      const verdict = verdictFromRow(row);
      if (!accepted) return { verdict, changes: [], inbox: [], revoke: [], moderate: [], duplicate: false };
      return {
        verdict,
        changes: [accepted.change],
        inbox: [],
        revoke: [],
        moderate: [accepted.messageId],
        duplicate: false,
      };
    }),
  );
}

/**
 * How many intents a group starts with that go set-wise: its leading sends (unreadable intents among
 * them are refused on their own and do not end the run). Decided from the intents alone, before the
 * transaction knows which were answered already, so the reads fetched beside it cover every send of the
 * head (a group re-sent after a reconnect starts with intents answered before).
 */
function headLength(group: readonly Item[]): number {
  const end = group.findIndex((item) => item.parsed.success && item.parsed.data.kind !== 'send');
  return end === -1 ? group.length : end;
}

/** The set-wise sends hit a database refusal: the transaction is aborted and the batch goes again one by one. */
class SetWiseRefused extends Error {}

type BatchCtx = Omit<HandlerContext, 'userId' | 'intentId'> & Pick<IntentDeps, 'onFault'>;

/** The sends at the head of every member's list, set-wise (reads given when they were fetched beside the transaction). */
async function decideSends(
  ctx: BatchCtx,
  head: ReadonlyArray<{ item: Item; intent: SendIntent }>,
  decided: Map<Item, Decision>,
  reads: SendReads | undefined,
): Promise<void> {
  let outcomes: SendOutcome[];
  try {
    outcomes = await sendMessages(
      ctx,
      head.map(({ item, intent }) => ({ userId: item.userId, intentId: item.intentId, intent })),
      reads,
    );
  } catch (err) {
    // Refused data, or a fault: each send is decided again on its own, so it lands on the one that caused it.
    // A refusal here is a race lost by one send (a file claimed by another); alone it is told so.
    if (isDataRefusal(err) || isProgramFault(err) || err instanceof IntentRefusal)
      throw new SetWiseRefused('a send of the batch was refused', { cause: err });
    throw err;
  }
  head.forEach(({ item }, i) => {
    const outcome = outcomes[i]!;
    decided.set(item, outcome.ok ? acceptedDecision(outcome.result) : refusedDecision(outcome.refusal, ctx.now));
  });
}

/** One intent through its handler, inside a savepoint so a refusal undoes exactly its writes. */
async function decideOne(ctx: BatchCtx, item: Item, intent: Intent): Promise<Decision> {
  await ctx.tx.exec('SAVEPOINT intent_handler');
  try {
    const result = await runHandler({ ...ctx, userId: item.userId, intentId: item.intentId }, intent);
    await ctx.tx.exec('RELEASE SAVEPOINT intent_handler');
    return acceptedDecision(result);
  } catch (err) {
    const refusal = err instanceof IntentRefusal ? err : asDeterministicRefusal(err, ctx.onFault);
    if (!refusal) throw err; // transient (connection lost, deadlock): no verdict, the client's outbox retries
    await ctx.tx.exec('ROLLBACK TO SAVEPOINT intent_handler');
    return refusedDecision(refusal, ctx.now);
  }
}

function acceptedDecision(result: HandlerResult): Decision {
  return {
    status: result.status,
    reason: result.reason ?? null,
    result: {
      ...(result.messageId ? { messageId: result.messageId } : {}),
      ...(result.channelId ? { channelId: result.channelId } : {}),
      ...(result.seq !== undefined ? { seq: result.seq } : {}),
    },
    channelId: result.channelId ?? null,
    changes: result.changes,
    inbox: result.inbox ?? [],
    revoke: result.revoke ?? [],
    moderate: result.moderate ?? [],
  };
}

const nothing = { changes: [], inbox: [], revoke: [], moderate: [] };

function refusedDecision(refusal: IntentRefusal, now: Date): Decision {
  return { ...refusalRecord(refusal, now), channelId: null, ...nothing };
}

function invalidDecision(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): Decision {
  const issue = error.issues[0];
  return {
    status: 'rejected',
    reason: `This action could not be understood (${issue ? `${issue.path.map(String).join('.') || 'intent'}: ${issue.message}` : 'invalid'}).`,
    result: { code: 'invalid' },
    channelId: null,
    ...nothing,
  };
}

/** Stored verdicts of intents answered before (retries, other devices, other nodes). */
async function loadStored(tx: Queryable, items: readonly Item[]): Promise<Map<string, Verdict>> {
  if (items.length === 0) return new Map();
  const { rows } = await tx.query<StoredIntent & { user_id: string; intent_id: string }>(
    `SELECT ci.user_id, ci.intent_id, ci.status, ci.reason, ci.result, ci.created_at
       FROM client_intents ci JOIN unnest(${opaqueArray('$1', 'uuid[]')}, ${opaqueArray('$2', 'uuid[]')}) AS q(user_id, intent_id)
         ON ci.user_id = q.user_id AND ci.intent_id = q.intent_id`,
    [items.map((i) => i.userId), items.map((i) => i.intentId)],
  );
  return new Map(rows.map((r) => [itemKey(r.user_id, r.intent_id), verdictFromRow(r)]));
}

/** Every decision of the batch onto its intent row in one statement; answers the verdicts as stored. */
async function recordDecisions(tx: Queryable, decided: ReadonlyMap<Item, Decision>): Promise<Map<string, Verdict>> {
  if (decided.size === 0) return new Map();
  const entries = [...decided];
  const { rows } = await tx.query<StoredIntent & { user_id: string; intent_id: string }>(
    `UPDATE client_intents ci
        SET status = v.status, reason = v.reason, result = v.result, channel_id = v.channel_id
       FROM unnest(${opaqueArray('$1', 'uuid[]')}, ${opaqueArray('$2', 'uuid[]')}, ${opaqueArray('$3', 'text[]')}, ${opaqueArray('$4', 'text[]')}, ${opaqueArray('$5', 'jsonb[]')}, ${opaqueArray('$6', 'uuid[]')})
            AS v(user_id, intent_id, status, reason, result, channel_id)
      WHERE ci.user_id = v.user_id AND ci.intent_id = v.intent_id
      RETURNING ci.user_id, ci.intent_id, ci.status, ci.reason, ci.result, ci.created_at`,
    [
      entries.map(([i]) => i.userId),
      entries.map(([i]) => i.intentId),
      entries.map(([, d]) => d.status),
      entries.map(([, d]) => d.reason),
      entries.map(([, d]) => JSON.stringify(d.result)),
      entries.map(([, d]) => d.channelId),
    ],
  );
  return new Map(rows.map((r) => [itemKey(r.user_id, r.intent_id), verdictFromRow(r)]));
}
