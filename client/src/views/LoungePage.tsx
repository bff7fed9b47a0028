import { createEffect, createMemo, Match, onCleanup, Show, Switch, untrack, type JSX } from 'solid-js';
import { isApiError, isUnauthorized } from '../api/http.ts';
import { cachedLounge, fetchLounge, rememberLounge } from '../api/lounge.ts';
import type { User } from '../api/types.ts';
import { RefreshIcon } from '../components/icons.tsx';
import { LoungeWelcome } from '../components/LoungeWelcome.tsx';
import { RoomView } from '../components/chat/RoomView.tsx';
import { RoomList } from '../components/RoomList.tsx';
import { useDocumentTitle } from '../lib/document-title.ts';
import { createRefreshable } from '../lib/refreshable.ts';
import { useReplica } from '../replica/context.ts';
import { roleIn } from '../replica/standing.ts';
import { endSession, SESSION_EXPIRED_NOTICE } from '../session.ts';
import { NotFound } from './NotFound.tsx';

const errorText = (err: unknown): string =>
  isApiError(err) ? err.message : 'The rooms could not be loaded. Please try again.';

/** The Lounge: topic rooms on the left, the open room (or a welcome) on the right. */
export function LoungePage(props: {
  token: string;
  user: User;
  roomSlug: string | null;
  threadId?: string | null;
}): JSX.Element {
  const lounge = createRefreshable(() => props.token, fetchLounge);
  // The last known Lounge paints at once (and offline); the fresh answer replaces it when it arrives.
  const cached = createMemo(() => cachedLounge(props.user.id));
  createEffect(() => {
    const fresh = lounge.value();
    if (fresh) rememberLounge(props.user.id, fresh);
  });
  const data = () => lounge.value() ?? cached();
  const selectedRoom = createMemo(() => data()?.rooms.find((room) => room.slug === props.roomSlug) ?? null);
  // The list's counts come from the last REST answer; the open room's are live (presence, read marker).
  const replica = useReplica();
  const rooms = () =>
    (data()?.rooms ?? []).map((room) => {
      const live = replica.onlineIn(room.id);
      const open = room.slug === props.roomSlug;
      if (live === undefined && !open) return room;
      return { ...room, onlineCount: live ?? room.onlineCount, unreadCount: open ? 0 : room.unreadCount };
    });

  createEffect(() => {
    if (isUnauthorized(lounge.error())) endSession(SESSION_EXPIRED_NOTICE);
  });
  // The member's role in each room (read in the background): moderators get their tools and the review queue.
  createEffect(() => {
    for (const room of lounge.value()?.rooms ?? []) untrack(() => roleIn(props.user, room.id, props.token));
  });

  // Online and unread counts go stale while the tab is hidden; live updates over the sync socket come later.
  const onVisible = (): void => {
    if (document.visibilityState === 'visible') lounge.refresh();
  };
  document.addEventListener('visibilitychange', onVisible);
  onCleanup(() => document.removeEventListener('visibilitychange', onVisible));

  useDocumentTitle(() => selectedRoom()?.name ?? data()?.lounge.name ?? 'The Lounge');

  const listError = () => (lounge.error() && rooms().length === 0 ? errorText(lounge.error()) : null);

  return (
    <div class="lounge-layout" classList={{ 'lounge-layout--room': selectedRoom() !== null }}>
      <aside class="sidebar" aria-label={data()?.lounge.name ?? 'The Lounge'}>
        <div class="sidebar__header">
          <p class="sidebar__title">{data()?.lounge.name ?? 'The Lounge'}</p>
          <Show when={data()}>{(data) => <p class="sidebar__subtitle">{data().lounge.description}</p>}</Show>
        </div>
        <RoomList
          rooms={rooms()}
          selectedSlug={props.roomSlug}
          loading={lounge.loading() && !data()}
          error={listError()}
          onRetry={lounge.refresh}
        />
        <Show when={lounge.error() && rooms().length > 0}>
          <p class="sidebar__stale" role="status">
            Showing the last known rooms. {errorText(lounge.error())}
          </p>
        </Show>
      </aside>
      <main class="room-pane" classList={{ 'room-pane--chat': selectedRoom() !== null }} id="main" tabIndex={-1}>
        <Switch>
          <Match when={selectedRoom()}>
            {(room) => (
              <RoomView room={room()} token={props.token} user={props.user} threadId={props.threadId ?? null} />
            )}
          </Match>
          <Match when={props.roomSlug !== null && data()}>
            <div class="page page--centered">
              <NotFound what="There is no room at this address. It may have been renamed or archived." />
            </div>
          </Match>
          <Match when={props.roomSlug === null && data()}>
            {(data) => <LoungeWelcome lounge={data().lounge} rooms={data().rooms} user={props.user} />}
          </Match>
          <Match when={listError()}>
            <div class="page page--centered">
              <div class="empty-state">
                <span class="empty-state__emoji" aria-hidden="true">
                  🔌
                </span>
                <h1 class="empty-state__title">The Lounge is out of reach</h1>
                <p class="empty-state__text">{listError()}</p>
                <button type="button" class="button button--primary" onClick={() => lounge.refresh()}>
                  <RefreshIcon />
                  Try again
                </button>
              </div>
            </div>
          </Match>
          <Match when={true}>
            <div class="room-pane__loading" aria-hidden="true">
              <span class="skeleton skeleton--tile skeleton--large" />
              <span class="skeleton skeleton--line skeleton--title" />
              <span class="skeleton skeleton--line" />
            </div>
          </Match>
        </Switch>
      </main>
    </div>
  );
}
