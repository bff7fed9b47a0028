import {
  createEffect,
  createMemo,
  createResource,
  createSignal,
  Match,
  Show,
  Switch,
  untrack,
  type JSX,
} from 'solid-js';
import type { CreatedRoom } from '../api/community.ts';
import { isApiError } from '../api/http.ts';
import { cachedLounge, checkLoungeRoom, fetchLounge, rememberLounge } from '../api/lounge.ts';
import type { Room, User } from '../api/types.ts';
import { PlusIcon } from '../components/icons.tsx';
import { NewRoomDialog } from '../components/NewRoomDialog.tsx';
import { LoungeWelcome } from '../components/LoungeWelcome.tsx';
import { RoomView } from '../components/chat/RoomView.tsx';
import { RoomList } from '../components/RoomList.tsx';
import { PaneLoading, PaneOutOfReach } from '../components/RoomPaneStates.tsx';
import { useDocumentTitle } from '../lib/document-title.ts';
import { useLiveRoomList } from '../lib/live-room-list.ts';
import { createRefreshable } from '../lib/refreshable.ts';
import { roleIn } from '../replica/standing.ts';
import { navigate, paths } from '../router.ts';
import { canCreateLoungeRoom } from '../../../shared/rules/permissions.ts';
import { NotFound, RoomRefused } from './NotFound.tsx';

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
  // Rooms this admin just created, listed (and open) before the list's next answer includes them.
  const [created, setCreated] = createSignal<Room[]>([]);
  const listed = createMemo(() => {
    const answer = data()?.rooms ?? [];
    const fresh = created().filter((room) => !answer.some((r) => r.id === room.id));
    return fresh.length === 0 ? answer : [...answer, ...fresh];
  });
  const selectedRoom = createMemo(() => listed().find((room) => room.slug === props.roomSlug) ?? null);
  const rooms = useLiveRoomList(lounge, listed, () => props.roomSlug);
  const mayCreate = () => canCreateLoungeRoom(props.user).allowed;
  const [creating, setCreating] = createSignal(false);
  let newRoomButton: HTMLButtonElement | undefined;
  const onCreated = (room: CreatedRoom) => {
    setCreated((before) => [
      ...before,
      { ...room, onlineCount: 0, unreadCount: 0, lastSeq: 0, messageCount: 0, lastMessageAt: null },
    ]);
    lounge.refresh();
    navigate(paths.room(room.slug));
  };

  // The member's role in each room (read in the background): moderators get their tools and the review queue.
  createEffect(() => {
    for (const room of lounge.value()?.rooms ?? []) untrack(() => roleIn(props.user, room.id, props.token));
  });

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
          action={
            <Show when={mayCreate()}>
              <button
                type="button"
                class="button button--ghost button--small room-list__new"
                ref={(el) => (newRoomButton = el)}
                onClick={() => setCreating(true)}
              >
                <PlusIcon />
                New room
              </button>
            </Show>
          }
        />
        <Show when={creating()}>
          <NewRoomDialog
            token={props.token}
            onCreated={onCreated}
            onClose={() => {
              setCreating(false);
              if (!props.roomSlug) newRoomButton?.focus();
            }}
          />
        </Show>
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
              <RoomView
                room={room()}
                token={props.token}
                user={props.user}
                threadId={props.threadId ?? null}
                onListChanged={lounge.refresh}
              />
            )}
          </Match>
          <Match when={props.roomSlug !== null && data() ? props.roomSlug : null}>
            {(slug) => (
              <div class="page page--centered">
                <RoomOutOfReach slug={slug()} token={props.token} />
              </div>
            )}
          </Match>
          <Match when={props.roomSlug === null && data()}>
            {(data) => (
              <LoungeWelcome
                lounge={data().lounge}
                rooms={data().rooms.filter((room) => !room.archived)}
                user={props.user}
              />
            )}
          </Match>
          <Match when={listError()}>
            {(message) => (
              <PaneOutOfReach title="The Lounge is out of reach" message={message()} onRetry={lounge.refresh} />
            )}
          </Match>
          <Match when={true}>
            <PaneLoading />
          </Match>
        </Switch>
      </main>
    </div>
  );
}

/**
 * A room address that is not in the member's list: the server says why — banned (with the moderator's
 * reason), private, archived — or that there is no such room. Offline, the plain "nothing here".
 */
function RoomOutOfReach(props: { slug: string; token: string }): JSX.Element {
  const [refusal] = createResource(
    () => props.slug,
    (slug) =>
      checkLoungeRoom(props.token, slug).then(
        () => null,
        (err: unknown) => (isApiError(err) && err.status === 403 ? err.message : null),
      ),
  );
  return (
    <Show
      when={refusal()}
      fallback={<NotFound what="There is no room at this address. It may have been renamed or archived." />}
    >
      {(why) => <RoomRefused reason={why()} />}
    </Show>
  );
}
