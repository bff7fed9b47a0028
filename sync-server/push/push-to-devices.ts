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
  const failed = (err: unknown, target: { subscription: string } | { device: string }) => {
    failure = err;
    deps.logger.warn({ err, ...target }, 'a push could not be delivered');
  };
  const { web, fcm } = deps.push;
  if (web)
    for (const sub of targets.browsers) {
      try {
        if ((await web.send(sub, payload)) === 'gone') {
          await deps.db.query('DELETE FROM push_subscriptions WHERE id = $1', [sub.id]);
          continue;
        }
        sent++;
        await deps.db.query('UPDATE push_subscriptions SET last_sent_at = now() WHERE id = $1', [sub.id]);
      } catch (err) {
        failed(err, { subscription: sub.id });
      }
    }
  if (fcm)
    for (const device of targets.devices) {
      try {
        if ((await fcm.send(device.token, payload, device.platform)) === 'gone') {
          await deps.db.query('DELETE FROM device_tokens WHERE id = $1', [device.id]);
          continue;
        }
        sent++;
      } catch (err) {
        failed(err, { device: device.id });
      }
    }
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
