import { createEffect, createMemo, onCleanup, Show, type JSX } from 'solid-js';
import { unreadBadgeText } from '../format.ts';
import { setTitleUnread } from '../lib/document-title.ts';
import { useReplica } from '../replica/context.ts';
import { notificationsLabel } from '../replica/notifications.ts';
import { currentRoute, paths } from '../router.ts';
import { BellIcon } from './icons.tsx';
import { Link } from './Link.tsx';

/** The header's way to the member's notifications, with how many wait (also in the tab title). */
export function NotificationsLink(): JSX.Element {
  const replica = useReplica();
  const unread = createMemo(() => replica.notificationRows().filter((row) => row.unread).length);
  createEffect(() => setTitleUnread('notifications', unread()));
  onCleanup(() => setTitleUnread('notifications', 0));
  return (
    <Link
      class="button button--ghost button--icon-on-phone header-notifications"
      href={paths.notifications}
      aria-label={notificationsLabel(unread())}
      title={notificationsLabel(unread())}
      aria-current={currentRoute().name === 'notifications' ? 'page' : undefined}
    >
      <BellIcon />
      <Show when={unread() > 0}>
        <span class="badge header-notifications__badge" aria-hidden="true">
          {unreadBadgeText(unread())}
        </span>
      </Show>
    </Link>
  );
}
