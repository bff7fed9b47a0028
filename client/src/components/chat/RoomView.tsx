import { createEffect, createMemo, createSignal, on, onCleanup, Show, type JSX } from 'solid-js';
import type { Room, User } from '../../api/types.ts';
import { isApiError } from '../../api/http.ts';
import { useReplica } from '../../replica/context.ts';
import { standingIn } from '../../replica/standing.ts';
import { liveRoomSettings } from '../../lib/live-room-settings.ts';
import { navigate, paths } from '../../router.ts';
import { PinIcon, SettingsIcon, ThreadIcon } from '../icons.tsx';
import { RoomSettingsDialog } from './RoomSettings.tsx';
import type { RoomSettingsPatch } from '../../api/community.ts';
import { RoomHeader, RoomIntro, type BackLink } from '../RoomHeader.tsx';
import { Conversation, type ConversationHandle } from './Conversation.tsx';
import { PinnedPanel, usePins } from './PinnedPanel.tsx';
import { OnlineList } from './Presence.tsx';
import { ThreadList, ThreadPanel, useThreads, type ThreadInfo } from './Threads.tsx';

/** How long after an admin's change reaches an open room its member's list is asked again, at most. */
const LIST_REFRESH_SPREAD_MS = 3_000;

/** The addresses of a room view: the list it was opened from, the room, and one of its threads. */
export interface RoomPaths {
  back: BackLink;
  room: (slug: string) => string;
  thread: (slug: string, threadId: string) => string;
}

const LOUNGE_PATHS: RoomPaths = {
  back: { href: paths.lounge, label: 'All rooms' },
  room: paths.room,
  thread: paths.thread,
};

/**
 * An open room: its live conversation, who is here, and its threads (a list, and the open thread in a
 * side panel that takes the whole screen on phones). Works offline from the local replica. A Lounge room
 * by default; `paths` places it elsewhere (a Thrive Circle under /thrive-circle).
 */
export function RoomView(props: {
  room: Room;
  token: string;
  user: User;
  threadId?: string | null;
  paths?: RoomPaths;
  /**
   * The room's entry in the list it came from is out of date (its admins renamed, retyped or archived it,
   * here or elsewhere): the page asks for its list again.
   */
  onListChanged?: () => void;
}): JSX.Element {
  const replica = useReplica();
  const me = props.user.id;

  // The room's id as a value: a refreshed room list hands over a new room object with the same id, and
  // that must not reopen the room (the conversation, its scroll place, an open panel) — it did, on every
  // refresh of the list (when the tab came back, and now also after a reconnect and about once a minute).
  const roomId = createMemo(() => props.room.id);
  const session = createMemo(
    on(roomId, (id) => {
      const opened = replica.openRoom(id);
      // Closing leaves presence, which notifies signals: not while Solid is disposing this view.
      onCleanup(() => queueMicrotask(opened.close));
      return opened.session;
    }),
  );
  // Settings just saved here (who may post) count at once, before the room list catches up.
  const standing = standingIn(props.user, () => liveRoom(), props.token);
  const threads = useThreads(
    () => props.token,
    () => props.room,
    session,
  );

  const present = () => session().present();
  const lastSeq = () => session().messages().at(-1)?.seq ?? 0;
  // Settings just saved here show at once (the room list catches up on its next refresh).
  const [saved, setSaved] = createSignal<RoomSettingsPatch>({});
  createEffect(on(roomId, () => setSaved({}), { defer: true }));
  // What the room's admins changed reaches members live through the meta doc (slow mode, who may post, its
  // words), over the room list's answer; this member's own just-saved edit over both.
  const liveRoom = () => ({
    ...props.room,
    ...liveRoomSettings(session().settings()),
    ...saved(),
    messageCount: Math.max(props.room.messageCount, lastSeq()),
  });
  // The meta doc is the one live feed a member holds of this room: when it says something the list shows
  // differently (its admins renamed, retyped or archived it), the list is asked again — at a random point of
  // a few seconds, since everyone in the room hears it at once. A memo: asked once per disagreement, not
  // again on each refresh that has not settled it; once the list agrees there is nothing to ask.
  const listStale = createMemo(() => {
    const live = liveRoomSettings(session().settings());
    const room = props.room;
    const differs = (['name', 'emoji', 'description', 'contextType', 'archived'] as const).filter(
      (key) => live[key] !== undefined && live[key] !== room[key],
    );
    return differs.length === 0 ? '' : `${room.id}:${differs.map((key) => `${key}=${String(live[key])}`).join(',')}`;
  });
  let listTimer: ReturnType<typeof setTimeout> | undefined;
  createEffect(
    on(listStale, (stale) => {
      if (stale === '') return;
      clearTimeout(listTimer);
      listTimer = setTimeout(() => props.onListChanged?.(), Math.random() * LIST_REFRESH_SPREAD_MS);
    }),
  );
  createEffect(on(roomId, () => clearTimeout(listTimer), { defer: true }));
  onCleanup(() => clearTimeout(listTimer));
  const [editing, setEditing] = createSignal(false);
  let settingsButton: HTMLButtonElement | undefined;
  const canManage = () => standing.decide('manage_room', {}).allowed;

  // The room list shows this room's live count while it is open, and the list's own answer once it is not
  // (this view stays mounted when the member moves to another room: the room it showed lets go then).
  createEffect(() => {
    const count = present().length;
    replica.setOnlineIn(session().channelId, count > 0 ? count : undefined);
  });
  createEffect(
    on(
      () => session().channelId,
      (channelId) => onCleanup(() => queueMicrotask(() => replica.setOnlineIn(channelId, undefined))),
    ),
  );

  const [showThreads, setShowThreads] = createSignal(false);
  const [showPins, setShowPins] = createSignal(false);
  const pins = usePins(session);
  let conversation: ConversationHandle | undefined;
  let pinsButton: HTMLButtonElement | undefined;
  const closePins = () => {
    setShowPins(false);
    pinsButton?.focus();
  };
  createEffect(
    on(
      roomId,
      () => {
        setShowThreads(false);
        setShowPins(false);
      },
      { defer: true },
    ),
  );
  const where = () => props.paths ?? LOUNGE_PATHS;
  // The thread as the list showed it when the member opened it: an old thread from a page of the list loaded
  // on request stays titled while the list is read again without that page.
  const [openedThread, setOpenedThread] = createSignal<ThreadInfo | null>(null);
  const openThread = (threadId: string) => {
    setOpenedThread(threads.byId(threadId));
    navigate(where().thread(props.room.slug, threadId));
  };
  const threadInfo = (threadId: string) =>
    threads.byId(threadId) ?? (openedThread()?.id === threadId ? openedThread() : null);
  const closeThread = () => navigate(where().room(props.room.slug));
  const panelOpen = () => Boolean(props.threadId) || showThreads() || showPins();
  // Where the side panel covers the conversation (phones, narrow windows), a jump closes it first.
  const panelCovers = () => window.matchMedia('(max-width: 900px)').matches;
  const jumpToPinned = (messageId: string) => {
    if (panelCovers()) setShowPins(false);
    void conversation?.jumpTo(messageId);
  };

  return (
    <section class="room-view" aria-labelledby="room-title">
      <Show when={editing()}>
        <RoomSettingsDialog
          room={liveRoom()}
          token={props.token}
          me={props.user.id}
          onSaved={(changed) => {
            setSaved((before) => ({ ...before, ...changed }));
            props.onListChanged?.();
          }}
          onClose={() => {
            setEditing(false);
            settingsButton?.focus();
          }}
        />
      </Show>
      <RoomHeader
        room={liveRoom()}
        onlineCount={replica.displayState() === 'offline' ? 0 : present().length > 0 ? present().length : undefined}
        back={where().back}
      >
        <Show when={canManage()}>
          <button
            type="button"
            class="button button--secondary button--small"
            ref={(el) => (settingsButton = el)}
            onClick={() => setEditing(true)}
          >
            <SettingsIcon />
            <span class="room-header__label">Settings</span>
          </button>
        </Show>
        <button
          type="button"
          class="button button--secondary button--small room-header__threads"
          aria-pressed={showThreads()}
          onClick={() => {
            setShowPins(false);
            if (props.threadId) {
              closeThread();
              setShowThreads(true);
            } else setShowThreads(!showThreads());
          }}
        >
          <ThreadIcon />
          <span class="room-header__label">Threads</span>
          <Show when={threads.countLabel()}>{(count) => <span class="room-header__count">{count()}</span>}</Show>
        </button>
        <button
          type="button"
          class="button button--secondary button--small room-header__pins"
          aria-pressed={showPins()}
          title="Pinned messages"
          ref={(el) => (pinsButton = el)}
          onClick={() => {
            setShowThreads(false);
            if (props.threadId) {
              closeThread();
              setShowPins(true);
            } else setShowPins(!showPins());
          }}
        >
          <PinIcon />
          <span class="room-header__label">
            Pinned<span class="visually-hidden"> messages</span>
          </span>
          <Show when={pins().length > 0}>
            <span class="room-header__count">{pins().length}</span>
          </Show>
        </button>
      </RoomHeader>
      <div class="chat" classList={{ 'chat--panel': panelOpen(), 'chat--thread': Boolean(props.threadId) }}>
        <Conversation
          session={session}
          name={props.room.name}
          token={props.token}
          user={props.user}
          room={props.room}
          standing={standing}
          canStartThread={true}
          pagePath={where().room(props.room.slug)}
          showsLinkedMessage={!props.threadId}
          postRefusal={standing.postRefusal()}
          intro={<RoomIntro room={liveRoom()} />}
          onOpenThread={openThread}
          ref={(handle) => (conversation = handle)}
        />
        <Show
          when={props.threadId}
          fallback={
            <Show
              when={showThreads()}
              fallback={
                <Show
                  when={showPins()}
                  fallback={
                    <OnlineList
                      present={present()}
                      me={me}
                      roomName={props.room.name}
                      offline={replica.displayState() === 'offline'}
                    />
                  }
                >
                  <PinnedPanel
                    session={session}
                    token={props.token}
                    roomName={props.room.name}
                    standing={standing}
                    nameOf={(id) => (id === me ? props.user.displayName : replica.members.nameOf(id))}
                    onJump={jumpToPinned}
                    onUnpin={(message) => conversation?.pin(message, false)}
                    onClose={closePins}
                  />
                </Show>
              }
            >
              <ThreadList
                room={props.room}
                threads={threads.all()}
                loading={threads.listed.loading()}
                error={
                  threads.listed.error()
                    ? isApiError(threads.listed.error())
                      ? (threads.listed.error() as Error).message
                      : 'Threads could not be loaded.'
                    : null
                }
                standing={standing}
                me={me}
                selectedId={null}
                more={threads.more()}
                onOpen={openThread}
                onClose={() => setShowThreads(false)}
              />
            </Show>
          }
        >
          {(threadId) => (
            <ThreadPanel
              threadId={threadId()}
              thread={threadInfo(threadId())}
              room={props.room}
              token={props.token}
              user={props.user}
              standing={standing}
              pagePath={where().thread(props.room.slug, threadId())}
              parent={
                session()
                  .messages()
                  .find((m) => m.id === threadInfo(threadId())?.parentMessageId) ?? null
              }
              onClose={closeThread}
            />
          )}
        </Show>
      </div>
    </section>
  );
}
