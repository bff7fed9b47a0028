import { createMemo, createSignal, For, on, onCleanup, Show, type JSX } from 'solid-js';
import type { MessageView, ThreadState } from '../../../../shared/sync/channel-doc.ts';
import { fetchThreads, type ThreadSummary } from '../../api/community.ts';
import type { Room, User } from '../../api/types.ts';
import { relativeTime } from '../../format.ts';
import { isApiError } from '../../api/http.ts';
import { createRefreshable } from '../../lib/refreshable.ts';
import { followsThread } from '../../lib/thread-follow.ts';
import { listedThreads, nextThreadCursor, threadTotalLabel, type ThreadPages } from '../../lib/thread-pages.ts';
import { useReplica } from '../../replica/context.ts';
import type { RoomSession } from '../../replica/room-session.ts';
import type { Standing } from '../../replica/standing.ts';
import { BellIcon, CheckIcon, CloseIcon, LockIcon, PinIcon, PlusIcon, ThreadIcon } from '../icons.tsx';
import { Conversation } from './Conversation.tsx';
import { MessageMenu } from './MessageMenu.tsx';
import { threadReplyRefusal, useThreadSession } from './thread-session.ts';
import { MessageText } from './MessageText.tsx';
import { LIMITS } from '../../../../shared/rules/limits.ts';
import {
  matchesThreadFilter,
  THREAD_FILTERS,
  threadFilterCounts,
  titleMatcher,
  type ThreadFilter,
} from '../../lib/thread-filter.ts';

/** How long a thread may go without a message before it is archived (Discord's choices). */
const ARCHIVE_CHOICES = [
  { hours: 1, label: '1 hour' },
  { hours: 24, label: '1 day' },
  { hours: 72, label: '3 days' },
  { hours: 168, label: '1 week' },
] as const;

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

/** A thread's activity as the message leading to it carries it (live, from the room's segment docs). */
interface LiveActivity {
  count: number;
  lastAt: string | null;
}

/**
 * A thread's live state (the room's meta doc) over what the thread list last said (REST), and the newer of
 * the two activities: the list is read when the room opens, the leading message's counts change live.
 */
function merge(
  live: ThreadState | undefined,
  listed: ThreadSummary | undefined,
  activity: LiveActivity | undefined,
): ThreadInfo | null {
  if (!live && !listed) return null;
  const newer = activity && (!listed || activity.count > listed.messageCount);
  return {
    id: (live?.id ?? listed?.id)!,
    title: live?.title ?? listed?.title ?? 'Thread',
    locked: live?.locked ?? listed?.locked ?? false,
    pinned: live?.pinned ?? listed?.pinned ?? false,
    resolved: live?.resolved ?? listed?.resolved ?? false,
    archived: live?.archived ?? listed?.archived ?? false,
    creatorId: live?.creatorId ?? listed?.creator?.id ?? null,
    parentMessageId: live?.parentMessageId ?? listed?.parentMessageId ?? null,
    messageCount: newer ? activity.count : (listed?.messageCount ?? null),
    lastMessageAt: newer ? (activity.lastAt ?? listed?.lastMessageAt ?? null) : (listed?.lastMessageAt ?? null),
  };
}

/**
 * "3 replies" for a thread that hangs off a message (the message's chip says the same), "3 messages" for
 * one started on its own.
 */
const threadCountLabel = (count: number, fromMessage: boolean) =>
  fromMessage
    ? `${count.toLocaleString()} ${count === 1 ? 'reply' : 'replies'}`
    : `${count.toLocaleString()} ${count === 1 ? 'message' : 'messages'}`;

/**
 * The room's threads: the REST list (activity, counts) refreshed when the meta doc's thread states change,
 * page by page: the first page on opening, older ones when the member asks ("Show older threads").
 */
export function useThreads(token: () => string, room: () => Room, session: () => RoomSession) {
  const listed = createRefreshable(
    () => `${room().id}`,
    () => fetchThreads(token(), room().id),
  );
  // Older pages stay loaded while the first page is read again (their cursors stay valid: keyset paging).
  const [older, setOlder] = createSignal<{ threads: ThreadSummary[]; cursor: string | null | undefined }>({
    threads: [],
    cursor: undefined,
  });
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [moreError, setMoreError] = createSignal<string | null>(null);
  let pageGeneration = 0;
  createMemo(
    on(
      () => room().id,
      () => {
        pageGeneration++;
        setOlder({ threads: [], cursor: undefined });
        setLoadingMore(false);
        setMoreError(null);
      },
      { defer: true },
    ),
  );
  const pages = (): ThreadPages<ThreadSummary> => ({
    first: listed.value(),
    older: older().threads,
    olderCursor: older().cursor,
  });
  const nextCursor = createMemo(() => nextThreadCursor(pages()));
  const loadMore = () => {
    const cursor = nextCursor();
    if (!cursor || loadingMore()) return;
    const mine = ++pageGeneration;
    setLoadingMore(true);
    setMoreError(null);
    fetchThreads(token(), room().id, cursor).then(
      (page) => {
        if (mine !== pageGeneration) return;
        setOlder((before) => ({ threads: [...before.threads, ...page.threads], cursor: page.nextCursor }));
        setLoadingMore(false);
      },
      (err: unknown) => {
        if (mine !== pageGeneration) return;
        setMoreError(isApiError(err) ? err.message : 'Older threads could not be loaded. Please try again.');
        setLoadingMore(false);
      },
    );
  };
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
  const rows = createMemo(() => listedThreads(pages()));
  /** Every thread known here: listed, or only in the meta doc (offline, or beyond the pages loaded). */
  const known = createMemo<ThreadInfo[]>(() => {
    const live = new Map(
      session()
        .threads()
        .map((t) => [t.id, t]),
    );
    const byId = new Map(rows().map((t) => [t.id, t]));
    const activity = new Map<string, LiveActivity>();
    for (const m of session().messages()) {
      if (m.threadId) activity.set(m.threadId, { count: m.threadReplies, lastAt: m.threadLastReplyAt });
    }
    const ids = new Set([...live.keys(), ...byId.keys()]);
    const out: ThreadInfo[] = [];
    for (const id of ids) {
      const info = merge(live.get(id), byId.get(id), activity.get(id));
      if (info) out.push(info);
    }
    return out.sort(
      (a, b) =>
        Number(b.pinned) - Number(a.pinned) ||
        (b.lastMessageAt ?? '').localeCompare(a.lastMessageAt ?? '') ||
        a.title.localeCompare(b.title),
    );
  });
  /**
   * The list's threads. While older pages remain, a thread only the meta doc knows (its state changed once)
   * waits for its page: without its activity it would sort last, above threads more recent than it.
   */
  const all = createMemo<ThreadInfo[]>(() => {
    if (nextCursor() === null) return known();
    const ids = new Set(rows().map((t) => t.id));
    return known().filter((t) => ids.has(t.id));
  });
  return {
    all,
    listed,
    /** Older threads to load, and how: null once the list holds every thread of the room. */
    more: createMemo(() =>
      nextCursor() === null
        ? null
        : { total: listed.value()?.total ?? null, loading: loadingMore(), error: moreError(), load: loadMore },
    ),
    /** The header's count: every thread of the room, not only those loaded. */
    countLabel: () => threadTotalLabel(all().length, nextCursor() !== null, listed.value()?.total),
    byId: (id: string) => known().find((t) => t.id === id) ?? null,
  };
}

/** Older threads of the room not loaded yet. */
export interface MoreThreads {
  /** Threads in the room in all, when the server said. */
  total: number | null;
  loading: boolean;
  error: string | null;
  load: () => void;
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

type ThreadField = 'pinned' | 'locked' | 'resolved';

/** What a member may do to a thread's state, each decided with the same `can()` the server uses. */
const THREAD_ACTIONS = [
  { field: 'pinned', action: 'pin_thread', set: 'Pin thread', unset: 'Unpin thread' },
  { field: 'locked', action: 'lock_thread', set: 'Lock thread', unset: 'Unlock thread' },
  { field: 'resolved', action: 'resolve_thread', set: 'Mark resolved', unset: 'Reopen thread' },
] as const;

export interface ThreadAction {
  field: ThreadField;
  /** The value the action asks for (`false` undoes). */
  value: boolean;
  label: string;
  /** A change of this field waits in the outbox (offline, or not answered yet). */
  pending: boolean;
}

/**
 * The thread-state actions the member's standing allows, labelled for the state the thread will have once
 * the member's queued changes are processed (so "Lock thread" turns into "Unlock thread" at once, offline too).
 */
export function threadActions(
  thread: ThreadInfo,
  standing: Standing,
  pending: Partial<Record<ThreadField, boolean>>,
): ThreadAction[] {
  const state = { pinned: thread.pinned, locked: thread.locked, resolved: thread.resolved, ...pending };
  const target = { thread: { creatorId: thread.creatorId, isLocked: state.locked } };
  return THREAD_ACTIONS.flatMap(({ field, action, set, unset }): ThreadAction[] =>
    standing.decide(action, target).allowed
      ? [{ field, value: !state[field], label: state[field] ? unset : set, pending: field in pending }]
      : [],
  );
}

/** The member's queued and refused thread-state changes of one thread, and a way to make one. */
function useThreadState(thread: () => ThreadInfo) {
  const replica = useReplica();
  const pending = createMemo(() => {
    const wanted: Partial<Record<ThreadField, boolean>> = {};
    for (const { intent } of replica.outbox()) {
      if (intent.kind !== 'thread_state' || intent.threadId !== thread().id) continue;
      for (const { field } of THREAD_ACTIONS) if (intent[field] !== undefined) wanted[field] = intent[field];
    }
    return wanted;
  });
  const refused = () =>
    replica
      .failed()
      .filter((f) => f.intent.kind === 'thread_state' && f.intent.threadId === thread().id)
      .map((f) => ({ id: f.id, reason: f.verdict.reason }));
  const apply = (action: ThreadAction) => {
    const change: Partial<Record<ThreadField, boolean>> = { [action.field]: action.value };
    replica.enqueue({ kind: 'thread_state', threadId: thread().id, ...change });
  };
  return {
    pending,
    refused,
    apply,
    dismiss: (id: string) => replica.dropFailed(id),
    online: () => replica.displayState() === 'online',
  };
}

/** Refusals of the member's thread-state changes (e.g. the thread was locked meanwhile), until dismissed. */
function ThreadStateRefusals(props: {
  refused: Array<{ id: string; reason: string }>;
  onDismiss: (id: string) => void;
}): JSX.Element {
  return (
    <For each={props.refused}>
      {(r) => (
        <p class="side-panel__note side-panel__note--error thread-actions__refusal" role="alert">
          {r.reason}{' '}
          <button type="button" class="link-button" onClick={() => props.onDismiss(r.id)}>
            Dismiss
          </button>
        </p>
      )}
    </For>
  );
}

/** Pin, lock and resolve buttons for an open thread's header (only those the member may use). */
export function ThreadActionBar(props: { thread: ThreadInfo; standing: Standing }): JSX.Element {
  const state = useThreadState(() => props.thread);
  const actions = () => threadActions(props.thread, props.standing, state.pending());
  const waiting = () => actions().some((a) => a.pending);
  return (
    <>
      <Show when={actions().length > 0}>
        <div class="thread-actions" role="group" aria-label="Thread actions">
          {/* One button per kind of action, kept while its label changes, so focus stays where the member is. */}
          <For each={THREAD_ACTIONS}>
            {(kind) => (
              <Show when={actions().find((a) => a.field === kind.field)}>
                {(action) => (
                  <button
                    type="button"
                    class="button button--secondary button--small"
                    aria-busy={action().pending ? 'true' : undefined}
                    onClick={() => state.apply(action())}
                  >
                    {action().label}
                  </button>
                )}
              </Show>
            )}
          </For>
        </div>
      </Show>
      <Show when={waiting()}>
        <p class="side-panel__note thread-actions__pending" role="status">
          {state.online() ? 'Saving…' : 'Saved on this device: it is sent when you are back online.'}
        </p>
      </Show>
      <ThreadStateRefusals refused={state.refused()} onDismiss={state.dismiss} />
    </>
  );
}

/** Follow / Unfollow in an open thread's header: followers are notified of new replies. */
function ThreadFollowControl(props: {
  threadId: string;
  thread: ThreadInfo | null;
  parent: MessageView | null;
  userId: string;
}): JSX.Element {
  const replica = useReplica();
  const me = () => props.userId;
  const state = createMemo(() =>
    followsThread(
      props.threadId,
      replica.outbox(),
      replica.threadFollow(props.threadId),
      props.thread?.creatorId === me() || props.parent?.authorId === me(),
    ),
  );
  const refused = () =>
    replica
      .failed()
      .filter((f) => f.intent.kind === 'follow_thread' && f.intent.threadId === props.threadId)
      .map((f) => ({ id: f.id, reason: f.verdict.reason }));
  return (
    <>
      <div class="thread-follow">
        <button
          type="button"
          class="button button--secondary button--small"
          aria-describedby="thread-follow-state"
          aria-busy={state().pending ? 'true' : undefined}
          onClick={() =>
            replica.enqueue({ kind: 'follow_thread', threadId: props.threadId, following: !state().following })
          }
        >
          <BellIcon />
          {state().following ? 'Unfollow thread' : 'Follow thread'}
        </button>
        <span class="thread-follow__state" id="thread-follow-state">
          {state().following ? 'Following: new replies notify you' : 'Not following'}
        </span>
      </div>
      <Show when={state().pending && replica.displayState() !== 'online'}>
        <p class="side-panel__note thread-actions__pending" role="status">
          Saved on this device: it is sent when you are back online.
        </p>
      </Show>
      <ThreadStateRefusals refused={refused()} onDismiss={(id) => replica.dropFailed(id)} />
    </>
  );
}

/** The same actions as a small menu beside a thread in the room's thread list. */
function ThreadListActions(props: { thread: ThreadInfo; standing: Standing; titleId: string }): JSX.Element {
  const state = useThreadState(() => props.thread);
  const items = () =>
    threadActions(props.thread, props.standing, state.pending()).map((action) => ({
      label: action.pending ? `${action.label} (waiting to sync)` : action.label,
      run: () => state.apply(action),
    }));
  return (
    <>
      <MessageMenu items={items()} onForm={() => {}} label="Thread actions" describedBy={props.titleId} />
      <ThreadStateRefusals refused={state.refused()} onDismiss={state.dismiss} />
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
  /** The member's id, for "Started by me". */
  me: string;
  selectedId: string | null;
  /** Older threads the list can load; null or absent when it holds them all. */
  more?: MoreThreads | null;
  onOpen: (threadId: string) => void;
  onClose: () => void;
}): JSX.Element {
  const replica = useReplica();
  const [creating, setCreating] = createSignal(false);
  const [filter, setFilter] = createSignal<ThreadFilter>('all');
  const [query, setQuery] = createSignal('');
  const titled = createMemo(() => {
    const match = titleMatcher(query());
    return props.threads.filter((t) => match(t.title));
  });
  const counts = createMemo(() => threadFilterCounts(titled(), props.me));
  const shown = createMemo(() => titled().filter((t) => matchesThreadFilter(t, filter(), props.me)));
  const narrowed = () => filter() !== 'all' || query().trim() !== '';
  // A handful of threads reads at a glance; past that, a helper looks for the open or unanswered ones.
  const filterable = () => props.threads.length > 4;
  // "Resolved" means something where questions are asked (help rooms) or someone has used it.
  const filters = () =>
    THREAD_FILTERS.filter((f) => f.id !== 'resolved' || props.room.autoThread || counts().resolved > 0);
  const [title, setTitle] = createSignal('');
  const [body, setBody] = createSignal('');
  const [archiveHours, setArchiveHours] = createSignal(String(LIMITS.threads.autoArchiveHoursDefault));
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
      autoArchiveAfterHours: Number(archiveHours()),
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
              <label class="msg-form__field" for="new-thread-archive">
                Archive after no activity for
              </label>
              <select
                id="new-thread-archive"
                class="input"
                value={archiveHours()}
                onChange={(e) => setArchiveHours(e.currentTarget.value)}
              >
                <For each={ARCHIVE_CHOICES}>
                  {(choice) => <option value={String(choice.hours)}>{choice.label}</option>}
                </For>
              </select>
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
          <Show when={filterable()}>
            <div class="thread-filters">
              <input
                type="search"
                class="input thread-filters__find"
                placeholder="Find a thread by title"
                aria-label="Find a thread by title"
                value={query()}
                onInput={(e) => setQuery(e.currentTarget.value)}
              />
              <div class="thread-filters__kinds" role="group" aria-label="Show threads">
                <For each={filters()}>
                  {(f) => (
                    <button
                      type="button"
                      class="thread-filters__kind"
                      aria-pressed={filter() === f.id}
                      onClick={() => setFilter(f.id)}
                    >
                      {f.label} <span class="thread-filters__count">{counts()[f.id].toLocaleString()}</span>
                    </button>
                  )}
                </For>
              </div>
            </div>
          </Show>
          <Show when={narrowed() && props.more}>
            {(more) => (
              <p class="side-panel__note thread-list__partial" role="status">
                Filters and search look at the {props.threads.length.toLocaleString()} most recent threads
                {more().total !== null ? ` of ${more().total!.toLocaleString()}` : ''}.{' '}
                <button type="button" class="link-button" disabled={more().loading} onClick={() => more().load()}>
                  Load older threads
                </button>
              </p>
            )}
          </Show>
          <Show when={shown().length === 0}>
            <p class="side-panel__note" role="status">
              No threads match.{' '}
              <button
                type="button"
                class="link-button"
                onClick={() => {
                  setFilter('all');
                  setQuery('');
                }}
              >
                Show all threads
              </button>
            </p>
          </Show>
          <ul class="thread-list__items">
            <For each={shown()}>
              {(thread) => (
                <li class="thread-list__row">
                  <button
                    type="button"
                    class="thread-item"
                    classList={{ 'thread-item--selected': thread.id === props.selectedId }}
                    aria-current={thread.id === props.selectedId ? 'true' : undefined}
                    onClick={() => props.onOpen(thread.id)}
                  >
                    <span class="thread-item__title" id={`thread-title-${thread.id}`}>
                      {thread.title}
                    </span>
                    <span class="thread-item__meta">
                      <ThreadBadges thread={thread} />
                      <Show when={thread.messageCount !== null}>
                        <span>{threadCountLabel(thread.messageCount!, thread.parentMessageId !== null)}</span>
                      </Show>
                      <Show when={thread.lastMessageAt}>{(at) => <span>{relativeTime(at())}</span>}</Show>
                    </span>
                  </button>
                  <ThreadListActions thread={thread} standing={props.standing} titleId={`thread-title-${thread.id}`} />
                </li>
              )}
            </For>
          </ul>
          <Show when={props.more}>
            {(more) => (
              <div class="thread-list__more">
                <button
                  type="button"
                  class="button button--secondary button--small"
                  aria-busy={more().loading ? 'true' : undefined}
                  disabled={more().loading}
                  onClick={() => more().load()}
                >
                  {more().loading ? 'Loading older threads…' : 'Show older threads'}
                </button>
                <Show when={more().error}>
                  {(error) => (
                    <p class="side-panel__note side-panel__note--error" role="alert">
                      {error()}
                    </p>
                  )}
                </Show>
              </div>
            )}
          </Show>
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
  /** The thread's page in the app, for links to its messages. */
  pagePath?: string;
  onClose: () => void;
}): JSX.Element {
  const replica = useReplica();
  const session = useThreadSession(() => props.threadId);
  const title = () => props.thread?.title ?? 'Thread';
  const refusal = () => threadReplyRefusal(props.standing, props.thread);
  return (
    <aside class="side-panel thread-panel" aria-labelledby="thread-title" data-thread-id={props.threadId}>
      <header class="side-panel__header">
        <div class="thread-panel__heading">
          <p class="thread-panel__room">Thread in {props.room.name}</p>
          <h2 class="side-panel__title" id="thread-title">
            {title()}
          </h2>
          <ThreadFollowControl
            threadId={props.threadId}
            thread={props.thread}
            parent={props.parent}
            userId={props.user.id}
          />
          <Show when={props.thread}>
            {(t) => (
              <>
                <p class="thread-panel__badges">
                  <ThreadBadges thread={t()} />
                </p>
                <ThreadActionBar thread={t()} standing={props.standing} />
              </>
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
        pagePath={props.pagePath}
        postRefusal={refusal()}
        composerPlaceholder="Reply in this thread"
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
                    {replica.members.nameOf(parent().authorId)} {props.room.contextType === 'help' ? 'asked' : 'wrote'}{' '}
                    in {props.room.name}
                  </figcaption>
                  <blockquote class="thread-panel__parent-body">
                    <Show
                      when={!parent().hidden && !parent().deleted}
                      fallback={parent().hidden ? 'Hidden by moderation' : 'Message deleted'}
                    >
                      <MessageText body={parent().body} mentions={parent().mentions} />
                    </Show>
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
