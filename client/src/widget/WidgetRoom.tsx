import { announceWidgetSize, requestRematch } from './host-bridge.ts';
import { createEffect, createMemo, createSignal, on, onCleanup, Show, type JSX } from 'solid-js';
import type { User } from '../api/types.ts';
import { Conversation } from '../components/chat/Conversation.tsx';
import { OnlineList } from '../components/chat/Presence.tsx';
import { ConnectionStatus } from '../components/ConnectionStatus.tsx';
import { ChevronDownIcon, ChevronUpIcon, UsersIcon } from '../components/icons.tsx';
import { useReplica } from '../replica/context.ts';
import { CONTEXT_LABEL } from './embed-address.ts';
import type { EmbedView } from './embed-api.ts';
import { roomOf, widgetStanding } from './widget-standing.ts';
import { WidgetThread } from './WidgetThread.tsx';

const onlineText = (count: number) => `${count} online`;

/**
 * The one channel of a widget: a compact header (what this is, who is here, the connection state), the
 * shared conversation (messages, replies, reactions, typing, composer, outbox) and, in a public project
 * room the viewer has not joined yet, a way to join it.
 */
export function WidgetRoom(props: {
  view: EmbedView;
  token: string;
  user: User;
  /** Joins the room; answers why not when it is refused. */
  onJoin: () => Promise<string | null>;
}): JSX.Element {
  const replica = useReplica();
  // A refreshed view of the same channel (after joining, say) must not reopen the conversation.
  const channelId = createMemo(() => props.view.channelId);
  const session = createMemo(
    on(channelId, (id) => {
      const opened = replica.openRoom(id);
      // Closing leaves presence, which notifies signals: not while Solid is disposing this view.
      onCleanup(() => queueMicrotask(opened.close));
      return opened.session;
    }),
  );
  const standing = widgetStanding(() => props.view);
  const room = createMemo(() => roomOf(props.view));
  const present = () => session().present();

  createEffect(() => {
    document.title = `${props.view.title} · Lounge`;
  });

  const [showPeople, setShowPeople] = createSignal(false);
  // Minimized to its header (the spec's collapsible widget): the conversation stays open underneath, so
  // the header can count what others wrote meanwhile, and the host is told to shrink the frame.
  const [collapsed, setCollapsed] = createSignal(false);
  const [seenSeq, setSeenSeq] = createSignal(0);
  let header: HTMLElement | undefined;
  const newWhileCollapsed = () =>
    collapsed()
      ? session()
          .messages()
          .filter((m) => m.seq > seenSeq() && m.authorId !== props.user.id).length
      : 0;
  const toggleCollapsed = () => {
    const next = !collapsed();
    if (next) setSeenSeq(session().messages().at(-1)?.seq ?? 0);
    setCollapsed(next);
    announceWidgetSize(next, header?.getBoundingClientRect().height ?? 56);
  };
  /** A thread of this room shown in place of its conversation (help rooms: each question's answers). */
  const [openThread, setOpenThread] = createSignal<string | null>(null);
  const [joining, setJoining] = createSignal(false);
  const [rematchAsked, setRematchAsked] = createSignal<string | null>(null);
  const [joinError, setJoinError] = createSignal<string | null>(null);
  const join = async () => {
    setJoining(true);
    setJoinError(await props.onJoin());
    setJoining(false);
  };

  const where = () =>
    props.view.kind === 'thread'
      ? `${CONTEXT_LABEL[props.view.contextType]} · in ${props.view.room.name}`
      : CONTEXT_LABEL[props.view.contextType];
  // Not a member yet: the composer gives way to the invitation, and the join bar says how.
  const postRefusal = () =>
    props.view.canJoin ? 'Join this discussion to post, reply and react.' : props.view.postRefusal;

  return (
    <div class="widget" classList={{ 'widget--collapsed': collapsed() }} data-channel-id={props.view.channelId}>
      <header class="widget__header" ref={(el) => (header = el)}>
        <Show when={props.view.room.emoji}>
          {(emoji) => (
            <span class="widget__emoji" aria-hidden="true">
              {emoji()}
            </span>
          )}
        </Show>
        <div class="widget__heading">
          <h1 class="widget__title" id="widget-title">
            {props.view.title}
          </h1>
          <p class="widget__where">{where()}</p>
        </div>
        <div class="widget__status">
          <button
            type="button"
            class="chip widget__people-toggle"
            aria-expanded={showPeople()}
            aria-controls="widget-people"
            onClick={() => setShowPeople(!showPeople())}
          >
            <UsersIcon />
            <span>{onlineText(present().length)}</span>
          </button>
          <ConnectionStatus />
          <Show when={newWhileCollapsed() > 0}>
            <span class="chip widget__new" role="status">
              {newWhileCollapsed()} new
            </span>
          </Show>
          <button
            type="button"
            class="icon-button widget__collapse"
            aria-expanded={!collapsed()}
            aria-controls="widget-main"
            aria-label={collapsed() ? 'Open the chat' : 'Minimize the chat'}
            title={collapsed() ? 'Open the chat' : 'Minimize the chat'}
            onClick={toggleCollapsed}
          >
            <Show when={collapsed()} fallback={<ChevronDownIcon />}>
              <ChevronUpIcon />
            </Show>
          </button>
        </div>
      </header>
      <main class="widget__main" id="widget-main" aria-labelledby="widget-title" hidden={collapsed()}>
        <Show when={showPeople()}>
          <div class="widget__people" id="widget-people">
            <OnlineList
              present={present()}
              me={props.user.id}
              roomName={props.view.title}
              offline={replica.displayState() === 'offline'}
            />
          </div>
        </Show>
        <Show when={props.view.contextType === 'battle' && !props.view.canJoin}>
          <div class="widget__rematch">
            <p class="widget__join-text" role="status">
              {rematchAsked() ?? 'Good game? Ask for another round.'}
            </p>
            <button
              type="button"
              class="button button--secondary button--small"
              disabled={rematchAsked() !== null}
              onClick={() =>
                setRematchAsked(
                  requestRematch(props.view.contextId)
                    ? 'Rematch requested: the battle page takes it from here.'
                    : 'Open this discussion on its battle page to ask for a rematch.',
                )
              }
            >
              Rematch
            </button>
          </div>
        </Show>
        <Show when={props.view.canJoin}>
          <div class="widget__join">
            <p class="widget__join-text">You are reading this discussion. Join it to take part.</p>
            <button
              type="button"
              class="button button--primary button--small"
              onClick={() => void join()}
              disabled={joining()}
              aria-busy={joining()}
            >
              {joining() ? 'Joining…' : 'Join discussion'}
            </button>
            <Show when={joinError()}>
              {(message) => (
                <p class="widget__join-error" role="alert">
                  {message()}
                </p>
              )}
            </Show>
          </div>
        </Show>
        <Show
          when={openThread()}
          fallback={
            <Conversation
              session={session}
              name={props.view.title}
              token={props.token}
              user={props.user}
              room={room()}
              standing={standing}
              canStartThread={false}
              postRefusal={postRefusal()}
              onOpenThread={(threadId) => setOpenThread(threadId)}
              intro={
                <div class="room-start widget__intro">
                  <h2 class="room-start__title">{props.view.title}</h2>
                  <p class="room-start__text">
                    The start of this conversation.
                    <Show when={props.view.kind === 'room' && props.view.room.description}>
                      {(description) => <> {description()}</>}
                    </Show>
                  </p>
                </div>
              }
            />
          }
        >
          {(threadId) => (
            <WidgetThread
              threadId={threadId()}
              thread={
                session()
                  .threads()
                  .find((t) => t.id === threadId()) ?? null
              }
              parent={
                session()
                  .messages()
                  .find((m) => m.threadId === threadId()) ?? null
              }
              room={room()}
              token={props.token}
              user={props.user}
              standing={standing}
              onBack={() => setOpenThread(null)}
            />
          )}
        </Show>
      </main>
    </div>
  );
}
