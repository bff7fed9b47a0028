import https from 'node:https';
import webpush from 'web-push';

export interface PushSubscriptionKeys {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** What a push is about, as the service worker shows it. */
export interface PushPayload {
  title: string;
  body: string;
  /** The app's address of what it is about (opened on click). */
  url: string;
  /** Same tag, same notification: a newer one replaces it on the device. */
  tag: string;
}

export interface PushSender {
  readonly publicKey: string;
  /** 'gone': the browser unsubscribed (the subscription is to be forgotten). Throws on other failures. */
  send(subscription: PushSubscriptionKeys, payload: PushPayload): Promise<'sent' | 'gone'>;
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  /** A contact for the push services (`mailto:` or `https:`). */
  subject: string;
}

/**
 * Web Push with VAPID (`web-push`): the payload is encrypted to the browser's keys and handed to its
 * push service, which wakes the service worker even when no tab is open.
 */
export function createWebPushSender(
  keys: VapidKeys,
  /** Certificates to trust besides the system's (a push service with its own CA, as in tests). */
  tls?: { ca: string },
): PushSender {
  const agent = tls ? new https.Agent({ ca: tls.ca }) : undefined;
  return {
    publicKey: keys.publicKey,
    async send(subscription, payload) {
      try {
        await webpush.sendNotification(
          { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
          JSON.stringify(payload),
          {
            vapidDetails: keys,
            // A mention an hour old is still worth showing; older, the app shows it anyway.
            TTL: 3600,
            urgency: 'high',
            topic: payload.tag.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32),
            ...(agent ? { agent } : {}),
          },
        );
        return 'sent';
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        if (status === 404 || status === 410) return 'gone';
        throw err;
      }
    },
  };
}

export const generateVapidKeys = (): { publicKey: string; privateKey: string } => webpush.generateVAPIDKeys();
