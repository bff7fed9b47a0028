import { Agent } from 'node:https';
import type { Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { cert, deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getMessaging, type Message } from 'firebase-admin/messaging';
import type { PushPayload } from './web-push-sender.ts';

/** Native app devices (and host pages using Firebase's web SDK) registered with an FCM token. */
export interface FcmSender {
  /** 'gone': FCM no longer knows the token (app uninstalled, token rotated): it is to be forgotten. */
  send(token: string, payload: PushPayload, platform: DevicePlatform): Promise<'sent' | 'gone'>;
  close(): Promise<void>;
}

export type DevicePlatform = 'android' | 'ios' | 'web';

/**
 * Where Firebase's HTTPS calls go instead of Google's hosts (the token exchange and the FCM API): a local
 * FCM double in tests, an egress proxy that terminates TLS in some deployments. Each request keeps its
 * host name for TLS, so the endpoint's certificate must name Google's hosts and `ca` must trust it.
 */
export interface FcmRoute {
  host: string;
  port: number;
  ca: string;
}

// FCM's answers that mean the token will never work again.
const GONE_CODES = new Set(['messaging/registration-token-not-registered', 'messaging/invalid-registration-token']);

let apps = 0;

/**
 * Pushes through Firebase Cloud Messaging's HTTP v1 API with `firebase-admin`: the service account signs
 * a JWT, Google's token endpoint trades it for an access token, and each push is one `messages:send`.
 */
export function createFcmSender(
  /** The service account's key file (JSON, as the Firebase console downloads it). */
  keyFile: string,
  route?: FcmRoute,
): FcmSender {
  const agent = route ? routedAgent(route) : undefined;
  // From the file's path, not its parsed object: only then does the token exchange use `agent` too.
  const credential = cert(keyFile, agent);
  // A named app per sender: firebase-admin keeps apps in a process-wide registry.
  const app: App = initializeApp({ credential, ...(agent ? { httpAgent: agent } : {}) }, `lounge-fcm-${++apps}`);
  const messaging = getMessaging(app);
  return {
    async send(token, payload, platform) {
      try {
        await messaging.send(fcmMessage(token, payload, platform));
        return 'sent';
      } catch (err) {
        if (GONE_CODES.has((err as { code?: string }).code ?? '')) return 'gone';
        throw err;
      }
    },
    close: () => deleteApp(app),
  };
}

/**
 * One push as FCM carries it to each kind of device: the words as a notification the system shows, the
 * address and tag as data the app reads on tap; the tag collapses a newer push onto an older one on
 * Android and iOS as the service worker's tag does in browsers.
 */
export function fcmMessage(token: string, payload: PushPayload, platform: DevicePlatform): Message {
  const collapse = payload.tag.slice(0, 64);
  const base = {
    token,
    notification: { title: payload.title, body: payload.body },
    data: { url: payload.url, tag: payload.tag },
  };
  if (platform === 'android')
    return {
      ...base,
      android: { priority: 'high', ttl: 3_600_000, collapseKey: collapse, notification: { tag: payload.tag } },
    };
  if (platform === 'ios')
    return {
      ...base,
      apns: {
        headers: {
          'apns-collapse-id': collapse,
          'apns-priority': '10',
          'apns-expiration': String(Math.floor(Date.now() / 1000) + 3600),
        },
        payload: { aps: { sound: 'default' } },
      },
    };
  return {
    ...base,
    webpush: {
      headers: { TTL: '3600', Urgency: 'high' },
      notification: { tag: payload.tag },
      fcmOptions: { link: payload.url },
    },
  };
}

/** An HTTPS agent whose connections all go to `route`, keeping each request's host name for TLS. */
function routedAgent(route: FcmRoute): Agent {
  return new (class extends Agent {
    override createConnection(options: ConnectionOptions): Socket {
      return tlsConnect({
        ...options,
        host: route.host,
        port: route.port,
        ca: route.ca,
        servername: options.servername ?? options.host,
      });
    }
  })({ keepAlive: true });
}
