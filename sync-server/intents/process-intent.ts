import { intentSchema, type Intent, type Verdict } from '../../shared/sync/intents.ts';
import { unreachable } from '../../shared/rules/unreachable.ts';
import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import { pgErrorCode, type Database } from '../db/database.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';
import type { ModerationDeps } from '../moderation/moderation-deps.ts';
import type { HandlerContext, HandlerResult, InboxEntry, Revocation } from './handler-context.ts';
import { moderateMember } from './handlers/moderate-member.ts';
import { reportMessage } from './handlers/report-message.ts';
import { createThread } from './handlers/create-thread.ts';
import { deleteMessage } from './handlers/delete-message.ts';
import { editMessage } from './handlers/edit-message.ts';
import { hideMessage } from './handlers/hide-message.ts';
import { markRead } from './handlers/mark-read.ts';
import { pinMessage } from './handlers/pin-message.ts';
import { react } from './handlers/react.ts';
import { sendMessage } from './handlers/send-message.ts';
import { startDm } from './handlers/start-dm.ts';
import { IntentRefusal } from './refusal.ts';

export interface IntentDeps {
  db: Database;
  rateLimiter: RateLimiter;
  moderation: ModerationDeps;
  now?: () => Date;
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
    case 'create_thread':
      return createThread(ctx, intent);
    case 'mark_read':
      return markRead(ctx, intent);
    case 'start_dm':
      return startDm(ctx, intent);
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
  result: { code?: string; messageId?: string; channelId?: string; seq?: number; retryAfterMs?: number };
  created_at: Date;
}

/** The verdict a stored client_intents row stands for (answered again on retries, rebuilt into inboxes). */
export function verdictFromRow(row: StoredIntent): Verdict {
  const at = row.created_at.getTime();
  const { code, retryAfterMs, ...ids } = row.result;
  if (row.status === 'rejected') {
    return { status: 'rejected', at, code: code ?? 'rejected', reason: row.reason ?? 'Refused.', ...(retryAfterMs ? { retryAfterMs } : {}) };
  }
  if (row.status === 'held') return { status: 'held', at, reason: row.reason ?? 'Held for review.', ...ids };
  return { status: 'accepted', at, ...ids };
}

/**
 * A database error that would happen again on every retry (bad data, a violated constraint) becomes a
 * refusal: otherwise the intent would be retried forever and block the member's later intents.
 */
function asDeterministicRefusal(err: unknown): IntentRefusal | undefined {
  const code = pgErrorCode(err);
  if (!code || !(code.startsWith('22') || code.startsWith('23'))) return undefined;
  return new IntentRefusal('invalid', 'This could not be saved because some of its content is not valid.');
}

/**
 * Processes one intent exactly once. The (user, intent id) row is inserted first in the same
 * transaction as the write, so a retry, a second device or a second node racing on the same id finds
 * the row and answers the stored verdict instead of writing again. A refusal rolls back the handler's
 * writes but keeps the intent row with its reason, so the answer stays the same on every retry.
 * Errors that are not refusals (database down) roll everything back: no verdict, the client retries.
 */
export async function processIntent(deps: IntentDeps, userId: string, intentId: string, raw: unknown): Promise<IntentOutcome> {
  const now = deps.now?.() ?? new Date();
  const parsed = intentSchema.safeParse(raw);
  return deps.db.transaction(async (tx) => {
    const kind = parsed.success ? parsed.data.kind : 'invalid';
    const inserted = await tx.query(
      `INSERT INTO client_intents (user_id, intent_id, kind, status) VALUES ($1, $2, $3, 'accepted')
       ON CONFLICT (user_id, intent_id) DO NOTHING`,
      [userId, intentId, kind],
    );
    if (inserted.rowCount === 0) {
      const { rows } = await tx.query<StoredIntent>(
        'SELECT status, reason, result, created_at FROM client_intents WHERE user_id = $1 AND intent_id = $2',
        [userId, intentId],
      );
      return { verdict: verdictFromRow(rows[0]!), changes: [], inbox: [], revoke: [], moderate: [], duplicate: true };
    }

    let outcome: { status: Verdict['status']; reason: string | null; result: StoredIntent['result']; channelId: string | null };
    let changes: ChannelChange[] = [];
    let inbox: InboxEntry[] = [];
    let revoke: Revocation[] = [];
    let moderate: string[] = [];
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      outcome = {
        status: 'rejected',
        reason: `This action could not be understood (${issue ? `${issue.path.join('.') || 'intent'}: ${issue.message}` : 'invalid'}).`,
        result: { code: 'invalid' },
        channelId: null,
      };
    } else {
      await tx.exec('SAVEPOINT intent_handler');
      try {
        const result = await runHandler({ tx, userId, intentId, now, rateLimiter: deps.rateLimiter, moderation: deps.moderation }, parsed.data);
        await tx.exec('RELEASE SAVEPOINT intent_handler');
        changes = result.changes;
        inbox = result.inbox ?? [];
        revoke = result.revoke ?? [];
        moderate = result.moderate ?? [];
        outcome = {
          status: result.status,
          reason: result.reason ?? null,
          result: {
            ...(result.messageId ? { messageId: result.messageId } : {}),
            ...(result.channelId ? { channelId: result.channelId } : {}),
            ...(result.seq !== undefined ? { seq: result.seq } : {}),
          },
          channelId: result.channelId ?? null,
        };
      } catch (err) {
        const refusal = err instanceof IntentRefusal ? err : asDeterministicRefusal(err);
        if (!refusal) throw err; // transient (connection lost, deadlock): no verdict, the client's outbox retries
        await tx.exec('ROLLBACK TO SAVEPOINT intent_handler');
        outcome = {
          status: 'rejected',
          reason: refusal.reason,
          result: { code: refusal.code, ...(refusal.retryAfterMs ? { retryAfterMs: Math.ceil(refusal.retryAfterMs) } : {}) },
          channelId: null,
        };
      }
    }
    const { rows } = await tx.query<StoredIntent>(
      `UPDATE client_intents SET status = $3, reason = $4, result = $5, channel_id = $6
        WHERE user_id = $1 AND intent_id = $2
        RETURNING status, reason, result, created_at`,
      [userId, intentId, outcome.status, outcome.reason, JSON.stringify(outcome.result), outcome.channelId],
    );
    return { verdict: verdictFromRow(rows[0]!), changes, inbox, revoke, moderate, duplicate: false };
  });
}
