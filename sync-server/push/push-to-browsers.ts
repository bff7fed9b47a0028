import type { Logger } from 'pino';
import type { Queryable } from '../db/database.ts';
import type { PushPayload, PushSender, PushSubscriptionKeys } from './web-push-sender.ts';

export interface StoredSubscription extends PushSubscriptionKeys {
  id: string;
}

/**
 * Sends one payload to each of the given browsers: a subscription the push service says is gone is
 * forgotten, a delivered one is stamped (`last_sent_at`). Answers how many were reached; throws the last
 * failure when none was and some failed (the job retries), so one unreachable browser among several
 * does not make the others receive it twice.
 */
export async function pushToBrowsers(
  deps: { db: Queryable; push: PushSender; logger: Logger },
  subscriptions: readonly StoredSubscription[],
  payload: PushPayload,
): Promise<number> {
  let sent = 0;
  let failure: unknown;
  for (const sub of subscriptions) {
    try {
      if ((await deps.push.send(sub, payload)) === 'gone') {
        await deps.db.query('DELETE FROM push_subscriptions WHERE id = $1', [sub.id]);
        continue;
      }
      sent++;
      await deps.db.query('UPDATE push_subscriptions SET last_sent_at = now() WHERE id = $1', [sub.id]);
    } catch (err) {
      failure = err;
      deps.logger.warn({ err, subscription: sub.id }, 'a push could not be delivered');
    }
  }
  if (sent === 0 && failure) throw failure;
  return sent;
}
