import { createMemo, createSignal, For, on, onCleanup, Show, type JSX } from 'solid-js';
import type { MessageView, ThreadState } from '../../../../shared/sync/channel-doc.ts';
import { fetchThreads, type ThreadSummary } from '../../api/community.ts';
import type { Room, User } from '../../api/types.ts';
import { relativeTime } from '../../format.ts';
import { createRefreshable } from '../../lib/refreshable.ts';
import { useReplica } from '../../replica/context.ts';
import type { RoomSession } from '../../replica/room-session.ts';
import type { Standing } from '../../replica/standing.ts';
import { CheckIcon, CloseIcon, LockIcon, PinIcon, PlusIcon, ThreadIcon } from '../icons.tsx';
import { Conversation } from './Conversation.tsx';

export interface ThreadInfo {
  id: string;
  title: string;
  locked: boolean;
  pinned: boolean;
  resolved: boolean;
  archived: boolean;
  creatorId: string | null;
  parentMessageId: string | null;
  messageCount: number | null;
  lastMessageAt: string | null;
}

/** A thread's live state (the room's meta doc) over what the thread list last said (REST: activity). */
function merge(live: ThreadState | undefined, listed: ThreadSummary | undefined): ThreadInfo | null {
  if (!live && !listed) return null;
  return {
    id: (live?.id ?? listed?.id)!,
    title: live?.title ?? listed?.title ?? 'Thread',
    locked: live?.locked ?? listed?.locked ?? false,
    pinned: live?.pinned ?? listed?.pinned ?? false,
    resolved: live?.resolved ?? listed?.resolved ?? false,
    archived: live?.archived ?? listed?.archived ?? false,
    creatorId: live?.creatorId ?? listed?.creator?.id ?? null,
    parentMessageId: live?.parentMessageId ?? listed?.parentMessageId ?? null,
    messageCount: listed?.messageCount ?? null,
    lastMessageAt: listed?.lastMessageAt ?? null,
  };
}

/** The room's threads: the REST list (activity, counts) refreshed when the meta doc's thread states change. */
export function useThreads(token: () => string, room: () => Room, session: () => RoomSession) {
  const listed = createRefreshable(
    () => `${room().id}`,
    () => fetchThreads(token(), room().id),
  );
  // A new or changed thread in the meta doc: read the list again (debounced).
  let timer: ReturnType<typeof setTimeout> | undefined;
  createMemo(
    on(
      () => session().threads().length,
      () => {
        clearTimeout(timer);
        timer = setTimeout(() => listed.refresh(), 400);
      },
      { defer: true },
    ),
  );
  onCleanup(() => clearTimeout(timer));
  const all = createMemo<ThreadInfo[]>(() => {
    const live = new Map(
      session()
        .threads()
        .map((t) => [t.id, t]),
    );
    const rows = new Map((listed.value()?.threads ?? []).map((t) => [t.id, t]));
    const ids = new Set([...live.keys(), ...rows.keys()]);
    const out: ThreadInfo[] = [];
    for (const id of ids) {
      const info = merge(live.get(id), rows.get(id));
      if (info) out.push(info);
    }
    return out.sort(
      (a, b) =>
        Number(b.pinned) - Number(a.pinned) ||
        (b.lastMessageAt ?? '').localeCompare(a.lastMessageAt ?? '') ||
        a.title.localeCompare(b.title),
    );
  });
  return { all, listed, byId: (id: string) => all().find((t) => t.id === id) ?? null };
}

export function ThreadBadges(props: { thread: ThreadInfo }): JSX.Element {
  return (
    <>
      <Show when={props.thread.pinned}>
        <span class="badge badge--pinned">
          <PinIcon />
          Pinned
        </span>
      </Show>
      <Show when={props.thread.resolved}>
        <span class="badge badge--resolved">
          <CheckIcon />
          Resolved
        </span>
      </Show>
      <Show when={props.thread.locked}>
        <span class="badge badge--locked">
          <LockIcon />
          Locked
        </span>
      </Show>
      <Show when={props.thread.archived}>
        <span class="badge">Archived</span>
      </Show>
    </>
  );
}

/** The list of a room's threads (pinned first, then most recently active), with "New thread". */
export function ThreadList(props: {
  room: Room;
  threads: ThreadInfo[];
  loading: boolean;
  error: string | null;
  standing: Standing;
  selectedId: string | null;
  onOpen: (threadId: string) => void;
  onClose: () => void;
}): JSX.Element {
  const replica = useReplica();
  const [creating, setCreating] = createSignal(false);
  const [title, setTitle] = createSignal('');
  const [body, setBody] = createSignal('');
  const [status, setStatus] = createSignal<{ text: string; error: boolean } | null>(null);
  const canCreate = () => props.standing.decide('create_thread', {});
  const submit = (event: Event) => {
    event.preventDefault();
    if (title().trim() === '' || body().trim() === '') return;
    const id = replica.enqueue({
      kind: 'create_thread',
      roomId: props.room.id,
      title: title().trim(),
      body: body().trim(),
    });
    setStatus({ text: 'Starting the thread…', error: false });
    void replica.whenVerdict(id).then((verdict) => {
      if (verdict.status === 'rejected') {
        replica.dropFailed(id);
        setStatus({ text: verdict.reason, error: true });
        return;
      }
      setStatus(null);
      setCreating(false);
      setTitle('');
      setBody('');
      if (verdict.channelId) props.onOpen(verdict.channelId);
    });
  };
  return (
    <aside class="side-panel thread-list" aria-labelledby="thread-list-title">
      <header class="side-panel__header">
        <h2 class="side-panel__title" id="thread-list-title">
          <ThreadIcon />
          Threads
        </h2>
        <button type="button" class="icon-button" aria-label="Close threads" onClick={() => props.onClose()}>
          <CloseIcon />
        </button>
      </header>
      <div class="side-panel__body">
        <Show
          when={canCreate().allowed}
          fallback={<p class="side-panel__note">{(canCreate() as { reason?: string }).reason}</p>}
        >
          <Show
            when={creating()}
            fallback={
              <button type="button" class="button button--primary button--small" onClick={() => setCreating(true)}>
                <PlusIcon />
                New thread
              </button>
            }
          >
            <form class="msg-form thread-form" aria-label="New thread" onSubmit={submit}>
              <label class="msg-form__field" for="new-thread-title">
                Title
              </label>
              <input
                id="new-thread-title"
                class="input"
                maxLength={200}
                value={title()}
                ref={(el) => queueMicrotask(() => el.focus())}
                onInput={(e) => setTitle(e.currentTarget.value)}
              />
              <label class="msg-form__field" for="new-thread-body">
                First message
              </label>
              <textarea
                id="new-thread-body"
                class="input msg-form__textarea"
                value={body()}
                onInput={(e) => setBody(e.currentTarget.value)}
              />
              <div class="msg-form__buttons">
                <button type="button" class="button button--secondary button--small" onClick={() => setCreating(false)}>
                  Cancel
                </button>
                <button
                  type="submit"
                  class="button button--primary button--small"
                  disabled={title().trim() === '' || body().trim() === ''}
                >
                  Start thread
                </button>
              </div>
            </form>
          </Show>
        </Show>
        <Show when={status()}>
          {(s) => (
            <p class="side-panel__note" classList={{ 'side-panel__note--error': s().error }} role="status">
              {s().text}
            </p>
          )}
        </Show>
        <Show when={props.error && props.threads.length === 0}>
          <p class="side-panel__note" role="status">
            {props.error}
          </p>
        </Show>
        <Show
          when={props.threads.length > 0}
          fallback={
            <Show when={!props.loading && !props.error}>
              <p class="side-panel__note">No threads yet. Start one from a message, or with “New thread”.</p>
            </Show>
          }
        >
          <ul class="thread-list__items">
            <For each={props.threads}>
              {(thread) => (
                <li>
                  <button
                    type="button"
                    class="thread-item"
                    classList={{ 'thread-item--selected': thread.id === props.selectedId }}
                    aria-current={thread.id === props.selectedId ? 'true' : undefined}
                    onClick={() => props.onOpen(thread.id)}
                  >
                    <span class="thread-item__title">{thread.title}</span>
                    <span class="thread-item__meta">
                      <ThreadBadges thread={thread} />
                      <Show when={thread.messageCount !== null}>
                        <span>
                          {thread.messageCount} {thread.messageCount === 1 ? 'message' : 'messages'}
                        </span>
                      </Show>
                      <Show when={thread.lastMessageAt}>{(at) => <span>{relativeTime(at())}</span>}</Show>
                    </span>
                  </button>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </div>
    </aside>
  );
}

/** An open thread beside its room (full screen on phones): its live messages and a reply composer. */
export function ThreadPanel(props: {
  threadId: string;
  thread: ThreadInfo | null;
  room: Room;
  token: string;
  user: User;
  standing: Standing;
  /** The room message the thread hangs off (a help room's question), when it is loaded. */
  parent: MessageView | null;
  onClose: () => void;
}): JSX.Element {
  const replica = useReplica();
  const session = createMemo(
    on(
      () => props.threadId,
      (threadId) => {
        const opened = replica.openRoom(threadId);
        onCleanup(() => queueMicrotask(opened.close));
        return opened.session;
      },
    ),
  );
  const title = () => props.thread?.title ?? 'Thread';
  const refusal = () => {
    const t = props.thread;
    if (!t) return null;
    const d = props.standing.decide('reply_in_thread', { thread: { creatorId: t.creatorId, isLocked: t.locked } });
    return d.allowed ? null : d.reason;
  };
  return (
    <aside class="side-panel thread-panel" aria-labelledby="thread-title" data-thread-id={props.threadId}>
      <header class="side-panel__header">
        <div class="thread-panel__heading">
          <p class="thread-panel__room">Thread in {props.room.name}</p>
          <h2 class="side-panel__title" id="thread-title">
            {title()}
          </h2>
          <Show when={props.thread}>
            {(t) => (
              <p class="thread-panel__badges">
                <ThreadBadges thread={t()} />
              </p>
            )}
          </Show>
        </div>
        <button type="button" class="icon-button" aria-label="Close thread" onClick={() => props.onClose()}>
          <CloseIcon />
        </button>
      </header>
      <Conversation
        session={session}
        name={title()}
        token={props.token}
        user={props.user}
        room={props.room}
        standing={props.standing}
        canStartThread={false}
        postRefusal={refusal()}
        intro={
          <div class="room-start room-start--thread">
            <Show
              when={props.parent}
              fallback={
                <>
                  <h3 class="room-start__title">{title()}</h3>
                  <p class="room-start__text">The start of this thread.</p>
                </>
              }
            >
              {(parent) => (
                <figure class="thread-panel__parent">
                  <figcaption class="thread-panel__parent-author">
                    {replica.members.nameOf(parent().authorId)} asked in {props.room.name}
                  </figcaption>
                  <blockquote class="thread-panel__parent-body">
                    {parent().hidden ? 'Hidden by moderation' : parent().deleted ? 'Message deleted' : parent().body}
                  </blockquote>
                </figure>
              )}
            </Show>
          </div>
        }
      />
    </aside>
  );
}
