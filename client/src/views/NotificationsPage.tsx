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
import { actorsText, notificationText, type NotificationGroup } from '../replica/notifications.ts';

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
    const missing = replica
      .notificationRows()
      .some((row) => row.items.some((n) => !places.rooms.has(n.roomId) && !places.circles.has(n.roomId)));
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

  const rows = () => replica.notificationRows();
  const anyUnread = () => rows().some((row) => row.unread);

  return (
    <main class="content-page" id="main" tabIndex={-1}>
      <div class="content-page__inner">
        <div class="notifications__head">
          <h1 class="content-page__title">
            <BellIcon />
            Notifications
          </h1>
          <Show when={anyUnread()}>
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
          when={rows().length > 0}
          fallback={
            <p class="side-panel__note">
              Nothing here yet. When someone mentions you (@{props.user.handle}) or replies in a thread you started, it
              shows up here.
            </p>
          }
        >
          <ul class="notification-list" aria-label="Notifications">
            <For each={rows()}>{(row) => <NotificationRow row={row} known={known()} now={now().getTime()} />}</For>
          </ul>
        </Show>
      </div>
    </main>
  );
}

const untilFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** One row: a notification, or several replies in one thread (opens at the oldest of them). */
function NotificationRow(props: {
  row: NotificationGroup;
  known: Parameters<typeof placeOfMessage>[1];
  now: number;
}): JSX.Element {
  const replica = useReplica();
  const newest = () => props.row.items[0]!;
  const first = () => props.row.items[props.row.items.length - 1]!;
  const place = () => placeOfMessage(first(), props.known);
  const who = () => actorsText(props.row.items.map((n) => n.actorName ?? replica.members.nameOf(n.actorId)));
  const until = () => {
    const n = newest();
    return n.kind === 'moderation' && n.until ? untilFormat.format(n.until) : undefined;
  };
  const text = () => notificationText(newest(), who(), place().name ?? newest().roomName ?? 'a room', until());
  // A room the member was banned from does not open for them: the notice is text only.
  const href = () => {
    const n = newest();
    return n.kind === 'moderation' && n.action === 'ban' ? null : place().href;
  };
  const markRead = () => {
    if (props.row.unread) replica.readNotifications(props.row.items.map((n) => n.id));
  };
  const body = (): JSX.Element => (
    <>
      <span class="notification__text">{text()}</span>
      <Show when={props.row.items.length > 1}>
        <span class="notification__count">{props.row.items.length} replies</span>
      </Show>
      <span class="notification__time">{relativeTime(new Date(newest().at).toISOString(), props.now)}</span>
      <Show when={props.row.unread}>
        <span class="notification__unread" role="img" aria-label="unread" />
      </Show>
    </>
  );
  return (
    <li class="notification" classList={{ 'notification--unread': props.row.unread }} data-notification={props.row.key}>
      <Show when={href()} fallback={<div class="notification__link">{body()}</div>}>
        {(href) => (
          <Link class="notification__link" href={href()} onClick={markRead}>
            {body()}
          </Link>
        )}
      </Show>
    </li>
  );
}
