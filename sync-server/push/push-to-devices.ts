import type { Logger } from 'pino';
import type { Queryable } from '../db/database.ts';
import type { DevicePlatform, FcmSender } from './fcm-sender.ts';
import type { PushPayload, PushSender, PushSubscriptionKeys } from './web-push-sender.ts';

/** The ways a push can leave: Web Push to browsers (VAPID), FCM to native apps' tokens. Either may be off. */
export interface PushChannels {
  web?: PushSender | undefined;
  fcm?: FcmSender | undefined;
}

export const pushConfigured = (channels: PushChannels): boolean =>
  channels.web !== undefined || channels.fcm !== undefined;

export interface StoredSubscription extends PushSubscriptionKeys {
  id: string;
}

export interface StoredDevice {
  id: string;
  token: string;
  platform: DevicePlatform;
}

/** Where one member's (or several members') pushes go. */
export interface PushTargets {
  browsers: readonly StoredSubscription[];
  devices: readonly StoredDevice[];
}

/**
 * Sends one payload to each browser and each app device: one the service says is gone is forgotten, a
 * reached browser is stamped. Answers how many were reached; throws the last failure when none was and some
 * failed (the job retries), so one unreachable device among several does not make the others receive it
 * twice. A target whose channel is off (no VAPID keys, no Firebase account) is skipped.
 */
export async function pushToDevices(
  deps: { db: Queryable; push: PushChannels; logger: Logger },
  targets: PushTargets,
  payload: PushPayload,
): Promise<number> {
  let sent = 0;
  let failure: unknown;
  const { web, fcm } = deps.push;
  const deliver = async (
    id: string,
    attempt: () => Promise<'sent' | 'gone'>,
    table: 'push_subscriptions' | 'device_tokens',
  ) => {
    try {
      if ((await attempt()) === 'gone') {
        await deps.db.query(`DELETE FROM ${table} WHERE id = $1`, [id]);
        return;
      }
      sent++;
      if (table === 'push_subscriptions')
        await deps.db.query('UPDATE push_subscriptions SET last_sent_at = now() WHERE id = $1', [id]);
    } catch (err) {
      failure = err;
      deps.logger.warn(
        { err, [table === 'push_subscriptions' ? 'subscription' : 'device']: id },
        'a push could not be delivered',
      );
    }
  };
  if (web)
    for (const sub of targets.browsers) await deliver(sub.id, () => web.send(sub, payload), 'push_subscriptions');
  if (fcm)
    for (const device of targets.devices)
      await deliver(device.id, () => fcm.send(device.token, payload, device.platform), 'device_tokens');
  if (sent === 0 && failure) throw failure;
  return sent;
}

/** Every browser and app device of these members, for the channels that are on. */
export async function pushTargetsOf(
  db: Queryable,
  channels: PushChannels,
  userIds: readonly string[],
): Promise<PushTargets> {
  const [browsers, devices] = await Promise.all([
    channels.web
      ? db.query<StoredSubscription>(
          'SELECT id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = ANY($1::uuid[])',
          [userIds],
        )
      : undefined,
    channels.fcm
      ? db.query<StoredDevice>('SELECT id, token, platform FROM device_tokens WHERE user_id = ANY($1::uuid[])', [
          userIds,
        ])
      : undefined,
  ]);
  return { browsers: browsers?.rows ?? [], devices: devices?.rows ?? [] };
}
