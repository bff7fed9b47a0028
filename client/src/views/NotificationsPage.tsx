import { createSignal, For, onMount, Show, type JSX } from 'solid-js';
import { cachedCircles, fetchCircles, rememberCircles } from '../api/circles.ts';
import { cachedLounge, fetchLounge, rememberLounge } from '../api/lounge.ts';
import type { User } from '../api/types.ts';
import { relativeTime } from '../format.ts';
import { BellIcon } from '../components/icons.tsx';
import { Link } from '../components/Link.tsx';
import { useDocumentTitle } from '../lib/document-title.ts';
import { placeOfMessage } from '../lib/message-place.ts';
import { createMinuteClock } from '../lib/minute-clock.ts';
import { useReplica } from '../replica/context.ts';
import { notificationText, type NotificationItem } from '../replica/notifications.ts';

/**
 * What asked for the member's attention: mentions of them and replies in threads they started, newest
 * first, from their inbox doc (so the list is there offline). Opening one shows the message in its
 * conversation and marks it read on every device of the member.
 */
export function NotificationsPage(props: { token: string; user: User }): JSX.Element {
  useDocumentTitle(() => 'Notifications');
  const replica = useReplica();
  const now = createMinuteClock();
  const [lounge, setLounge] = createSignal(cachedLounge(props.user.id));
  const [circles, setCircles] = createSignal(cachedCircles(props.user.id));
  const known = () => ({
    dms: replica.dms(),
    rooms: new Map((lounge()?.rooms ?? []).map((r) => [r.id, r])),
    circles: new Map((circles()?.circles ?? []).map((c) => [c.id, c])),
  });
  // A room this device has not listed yet (the member came here first) is named once the lists arrive.
  onMount(() => {
    const places = known();
    const missing = replica.notifications().some((n) => !places.rooms.has(n.roomId) && !places.circles.has(n.roomId));
    if (!missing || replica.displayState() === 'offline') return;
    fetchLounge(props.token).then(
      (data) => {
        rememberLounge(props.user.id, data);
        setLounge(data);
      },
      () => {},
    );
    fetchCircles(props.token).then(
      (data) => {
        rememberCircles(props.user.id, data);
        setCircles(data);
      },
      () => {},
    );
  });

  const items = () => replica.notifications();
  const unreadIds = () =>
    items()
      .filter((n) => replica.isNotificationUnread(n))
      .map((n) => n.id);

  return (
    <main class="content-page" id="main" tabIndex={-1}>
      <div class="content-page__inner">
        <div class="notifications__head">
          <h1 class="content-page__title">
            <BellIcon />
            Notifications
          </h1>
          <Show when={unreadIds().length > 0}>
            <button
              type="button"
              class="button button--secondary button--small"
              onClick={() => replica.readNotifications('all')}
            >
              Mark all as read
            </button>
          </Show>
        </div>
        <Show
          when={items().length > 0}
          fallback={
            <p class="side-panel__note">
              Nothing here yet. When someone mentions you (@{props.user.handle}) or replies in a thread you started, it
              shows up here.
            </p>
          }
        >
          <ul class="notification-list" aria-label="Notifications">
            <For each={items()}>{(n) => <NotificationRow item={n} known={known()} now={now().getTime()} />}</For>
          </ul>
        </Show>
      </div>
    </main>
  );
}

const untilFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function NotificationRow(props: {
  item: NotificationItem;
  known: Parameters<typeof placeOfMessage>[1];
  now: number;
}): JSX.Element {
  const replica = useReplica();
  const unread = () => replica.isNotificationUnread(props.item);
  const place = () => placeOfMessage(props.item, props.known);
  const who = () => props.item.actorName ?? replica.members.nameOf(props.item.actorId);
  const until = () =>
    props.item.kind === 'moderation' && props.item.until ? untilFormat.format(props.item.until) : undefined;
  const text = () => notificationText(props.item, who(), place().name ?? 'a room', until());
  // A room the member was banned from does not open for them: the notice is text only.
  const href = () => (props.item.kind === 'moderation' && props.item.action === 'ban' ? null : place().href);
  const body = (): JSX.Element => (
    <>
      <span class="notification__text">{text()}</span>
      <span class="notification__time">{relativeTime(new Date(props.item.at).toISOString(), props.now)}</span>
      <Show when={unread()}>
        <span class="notification__unread" role="img" aria-label="unread" />
      </Show>
    </>
  );
  return (
    <li class="notification" classList={{ 'notification--unread': unread() }} data-notification-id={props.item.id}>
      <Show when={href()} fallback={<div class="notification__link">{body()}</div>}>
        {(href) => (
          <Link
            class="notification__link"
            href={href()}
            onClick={() => unread() && replica.readNotifications([props.item.id])}
          >
            {body()}
          </Link>
        )}
      </Show>
    </li>
  );
}
