import { apiRequest } from '../api/http.ts';

/** Why this browser cannot take push notifications, or null when it can. */
export function pushUnsupported(): string | null {
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window))
    return 'This browser does not take push notifications.';
  if (Notification.permission === 'denied')
    return 'Notifications are blocked for Lounge in this browser; allow them in its site settings.';
  return null;
}

/** base64url → the bytes PushManager wants as the server's key. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/**
 * Subscribes this browser to push (asking the member's permission first) and hands the subscription to
 * the server. Throws with a sentence the Settings page can show.
 */
export async function enablePush(token: string): Promise<void> {
  const unsupported = pushUnsupported();
  if (unsupported) throw new Error(unsupported);
  if ((await Notification.requestPermission()) !== 'granted')
    throw new Error('Push notifications need your permission; the browser was not allowed to show them.');
  const { publicKey } = await apiRequest<{ publicKey: string }>('/api/push/key', { token });
  const registration = await navigator.serviceWorker.ready;
  const existing = await registration.pushManager.getSubscription();
  const subscription =
    existing ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
  await apiRequest('/api/me/push-subscriptions', { method: 'PUT', token, body: subscription.toJSON() });
}

/** Stops pushes to this browser (the member's other browsers keep theirs). */
export async function disablePush(token: string): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  if (!subscription) return;
  await apiRequest('/api/me/push-subscriptions', {
    method: 'DELETE',
    token,
    body: { endpoint: subscription.endpoint },
  });
  await subscription.unsubscribe();
}

/** Whether this browser is subscribed to push (a subscription the service worker holds). */
export async function browserPushSubscribed(): Promise<boolean> {
  if (pushUnsupported() !== null) return false;
  const registration = await navigator.serviceWorker.getRegistration();
  return (await registration?.pushManager.getSubscription()) != null;
}
