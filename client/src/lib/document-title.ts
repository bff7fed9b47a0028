import { createEffect, createSignal, onCleanup } from 'solid-js';

const APP_NAME = 'Lounge';

/** Conversations with unread messages, shown first in the tab title ("(2) General Chat · Lounge"). */
const [unreadBadge, setUnreadBadge] = createSignal(0);

/** The app shell's count of conversations waiting to be read; a page in a background tab shows it. */
export function setTitleUnread(count: number): void {
  setUnreadBadge(count);
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
