import { createEffect, createSignal, onCleanup } from 'solid-js';

const APP_NAME = 'Lounge';

/**
 * What waits for the member, shown first in the tab title ("(2) General Chat · Lounge"): conversations with
 * unread messages and unread notifications, each counted by the part of the app that knows it.
 */
const [unreadParts, setUnreadParts] = createSignal<Record<string, number>>({});
const unreadBadge = () => Object.values(unreadParts()).reduce((sum, n) => sum + n, 0);

/** One part's count of things waiting to be read; a page in a background tab shows the sum. */
export function setTitleUnread(part: 'dms' | 'notifications', count: number): void {
  if ((unreadParts()[part] ?? 0) === count) return;
  setUnreadParts({ ...unreadParts(), [part]: count });
  setAppBadge(unreadBadge());
}

/** The installed app's icon shows the same count (Badging API; where absent, nothing happens). */
function setAppBadge(count: number): void {
  const nav = navigator as Navigator & {
    setAppBadge?: (count?: number) => Promise<void>;
    clearAppBadge?: () => Promise<void>;
  };
  const done = count > 0 ? nav.setAppBadge?.(count) : nav.clearAppBadge?.();
  // Refused outside an installed app or without permission: the tab title still says it.
  done?.catch(() => {});
}

/** Keeps the tab title in step with the page, so history entries and tabs say where they lead. */
export function useDocumentTitle(title: () => string | null): void {
  createEffect(() => {
    const part = title();
    const unread = unreadBadge();
    const name = part ? `${part} · ${APP_NAME}` : APP_NAME;
    document.title = unread > 0 ? `(${unread}) ${name}` : name;
  });
  onCleanup(() => {
    document.title = APP_NAME;
  });
}
