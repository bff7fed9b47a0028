import { createEffect, createMemo, createSignal, For, on, onCleanup, Show, type JSX } from 'solid-js';
import { LIMITS } from '../../../shared/rules/limits.ts';
import type { DmSummary } from '../../../shared/sync/inbox.ts';
import { fetchMembers, searchMembers, setRelation } from '../api/community.ts';
import { isApiError } from '../api/http.ts';
import { cachedLounge } from '../api/lounge.ts';
import type { User } from '../api/types.ts';
import { Avatar } from '../components/Avatar.tsx';
import { Conversation } from '../components/chat/Conversation.tsx';
import { CheckIcon, ChevronLeftIcon, CloseIcon, PlusIcon, UsersIcon } from '../components/icons.tsx';
import { Link } from '../components/Link.tsx';
import { useDocumentTitle } from '../lib/document-title.ts';
import { aloneRefusal, dmTitle } from '../lib/dm-title.ts';
import { createMinuteClock } from '../lib/minute-clock.ts';
import { relativeTime } from '../format.ts';
import { useReplica } from '../replica/context.ts';
import { byRecentActivity, isDmUnread } from '../replica/dm-unread.ts';
import type { MemberInfo } from '../replica/members.ts';
import { standingIn } from '../replica/standing.ts';
import { navigate, paths } from '../router.ts';
import { RefusalAlert } from '../components/RefusalAlert.tsx';

/** Direct messages: the member's conversations (their inbox doc's `dms`), a new one, and the open one. */
export function MessagesPage(props: { token: string; user: User; channelId: string | null }): JSX.Element {
  const replica = useReplica();
  const me = props.user.id;
  const others = (dm: DmSummary) => dm.participantIds.filter((id) => id !== me);
  const titleOf = (dm: DmSummary) => dmTitle(dm, me, (id) => replica.members.nameOf(id));
  const dms = createMemo(() => byRecentActivity(replica.dms()));
  const open = () => dms().find((dm) => dm.channelId === props.channelId) ?? null;
  const unread = (dm: DmSummary) =>
    dm.channelId !== props.channelId && isDmUnread(dm, me, replica.readMarker(dm.channelId));
  // The list says how long ago; the clock moves it on.
  const now = createMinuteClock();
  useDocumentTitle(() => (open() ? titleOf(open()!) : 'Messages'));

  return (
    <div class="page-layout" classList={{ 'page-layout--open': props.channelId !== null }}>
      <aside class="list-panel" aria-labelledby="dm-list-title">
        <h2 class="list-panel__title" id="dm-list-title">
          Conversations
        </h2>
        <NewConversation token={props.token} user={props.user} />
        <Show
          when={dms().length > 0}
          fallback={<p class="side-panel__note">No conversations yet. Start one with a member above.</p>}
        >
          <ul class="conversation-list" aria-label="Conversations">
            <For each={dms()}>
              {(dm) => (
                <li>
                  <Link
                    class="conversation-item"
                    classList={{ 'conversation-item--unread': unread(dm) }}
                    href={paths.conversation(dm.channelId)}
                    aria-current={dm.channelId === props.channelId ? 'page' : undefined}
                  >
                    {/* A group is not a person: its mark is a group's, not initials that look like someone's. */}
                    <Show
                      when={!dm.isGroup}
                      fallback={
                        <span class="avatar avatar--group" aria-hidden="true">
                          <UsersIcon />
                        </span>
                      }
                    >
                      <Avatar
                        user={{
                          id: others(dm)[0] ?? me,
                          handle: replica.members.get(others(dm)[0] ?? me)?.handle ?? '',
                          displayName: titleOf(dm),
                          avatarUrl: null,
                          isGlobalAdmin: false,
                        }}
                        size={32}
                      />
                    </Show>
                    <span class="conversation-item__name">{titleOf(dm)}</span>
                    <Show when={dm.lastMessageAt}>
                      {(at) => <span class="conversation-item__time">{relativeTime(at(), now().getTime())}</span>}
                    </Show>
                    <Show when={unread(dm)}>
                      <span class="conversation-item__unread" role="img" aria-label="unread" />
                    </Show>
                  </Link>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </aside>
      <main class="page-pane" id="main" tabIndex={-1}>
        <Show
          when={open()}
          fallback={
            <div class="page page--centered">
              <div class="empty-state">
                <span class="empty-state__emoji" aria-hidden="true">
                  ✉️
                </span>
                <h1 class="empty-state__title">Messages</h1>
                <p class="empty-state__text">
                  {props.channelId
                    ? 'This conversation is not on this device yet: it appears here once it has synced.'
                    : 'Your direct messages. Pick a conversation, or start one with a member you know from the Lounge.'}
                </p>
                <Link class="button button--secondary" href={paths.lounge}>
                  Back to The Lounge
                </Link>
              </div>
            </div>
          }
        >
          {(dm) => <DmView dm={dm()} title={titleOf(dm())} token={props.token} user={props.user} />}
        </Show>
      </main>
    </div>
  );
}

function DmView(props: { dm: DmSummary; title: string; token: string; user: User }): JSX.Element {
  const replica = useReplica();
  // A new summary of the same conversation (each message brings one) must not reopen it.
  const channelId = createMemo(() => props.dm.channelId);
  const session = createMemo(
    on(channelId, (id) => {
      const opened = replica.openRoom(id);
      onCleanup(() => queueMicrotask(opened.close));
      return opened.session;
    }),
  );
  const standing = standingIn(props.user, () => null, props.token);
  const partner = () =>
    props.dm.isGroup ? null : (props.dm.participantIds.find((id) => id !== props.user.id) ?? null);
  const [note, setNote] = createSignal<string | null>(null);
  const people = () =>
    props.dm.participantIds.map((id) => (id === props.user.id ? 'you' : replica.members.nameOf(id))).join(', ');
  const [leaving, setLeaving] = createSignal(false);
  const [renaming, setRenaming] = createSignal(false);
  const [newTitle, setNewTitle] = createSignal('');
  /** A group's name, for everyone in it; empty unnames it. Offline it waits in the outbox like any change. */
  const rename = () => {
    setRenaming(false);
    const title = newTitle().trim();
    if (title === (props.dm.title ?? '')) return;
    const id = replica.enqueue({ kind: 'rename_dm', channelId: props.dm.channelId, title: title || null });
    void replica.whenVerdict(id).then((verdict) => {
      if (verdict.status === 'rejected') {
        replica.dropFailed(id);
        setNote(verdict.reason);
      }
    });
  };
  const leave = () => {
    setLeaving(false);
    const id = replica.enqueue({ kind: 'leave_dm', channelId: props.dm.channelId });
    void replica.whenVerdict(id).then((verdict) => {
      if (verdict.status === 'rejected') {
        replica.dropFailed(id);
        setNote(verdict.reason);
      } else navigate(paths.messages);
    });
  };
  const toggle = (kind: 'blocks' | 'mutes', on: boolean) => {
    const id = partner();
    if (!id) return;
    setRelation(props.token, kind, id, on).then(
      () => setNote(null),
      (err: unknown) => setNote(isApiError(err) ? err.message : 'That did not work. Please try again.'),
    );
  };
  return (
    <section class="dm-view" aria-labelledby="dm-title">
      <header class="dm-header">
        <Link class="button button--ghost room-header__back" href={paths.messages} aria-label="All conversations">
          <ChevronLeftIcon />
        </Link>
        <div class="dm-header__text">
          <h1 class="dm-header__title" id="dm-title">
            {props.title}
          </h1>
          {/* A group with a name says who is in it (an unnamed one is named by its people already). */}
          <Show when={props.dm.isGroup && props.dm.title}>
            <p class="dm-header__people">{people()}</p>
          </Show>
        </div>
        <Show when={props.dm.isGroup && props.dm.participantIds.includes(props.user.id)}>
          <div class="dm-header__actions">
            <Show when={renaming()}>
              <form
                class="dm-header__confirm"
                aria-label="Name this conversation"
                onSubmit={(event) => {
                  event.preventDefault();
                  rename();
                }}
              >
                <input
                  ref={(el) => queueMicrotask(() => el.focus())}
                  class="input"
                  aria-label="Conversation name"
                  maxLength={LIMITS.text.dmTitleMaxChars}
                  value={newTitle()}
                  placeholder="Name it for everyone in it"
                  onInput={(e) => setNewTitle(e.currentTarget.value)}
                  onKeyDown={(e) => e.key === 'Escape' && setRenaming(false)}
                />
                <button type="submit" class="button button--primary button--small">
                  Save
                </button>
                <button type="button" class="button button--ghost button--small" onClick={() => setRenaming(false)}>
                  Cancel
                </button>
              </form>
            </Show>
            <Show when={!renaming() && !leaving()}>
              <button
                type="button"
                class="button button--ghost button--small"
                onClick={() => {
                  setNewTitle(props.dm.title ?? '');
                  setRenaming(true);
                }}
              >
                Rename
              </button>
            </Show>
            <Show
              when={leaving()}
              fallback={
                <Show when={!renaming()}>
                  <button type="button" class="button button--ghost button--small" onClick={() => setLeaving(true)}>
                    Leave
                  </button>
                </Show>
              }
            >
              <span class="dm-header__confirm" role="group" aria-label="Leave this conversation?">
                <span>Leave? You will no longer read it.</span>
                <button type="button" class="button button--danger button--small" onClick={leave}>
                  Leave conversation
                </button>
                <button type="button" class="button button--ghost button--small" onClick={() => setLeaving(false)}>
                  Stay
                </button>
              </span>
            </Show>
          </div>
        </Show>
        <Show when={partner()}>
          {(id) => (
            <div class="dm-header__actions">
              <button
                type="button"
                class="button button--ghost button--small"
                onClick={() => toggle('mutes', !replica.mutes(id()))}
              >
                {replica.mutes(id()) ? 'Unmute' : 'Mute'}
              </button>
              <button
                type="button"
                class="button button--ghost button--small"
                onClick={() => toggle('blocks', !replica.blocks(id()))}
              >
                {replica.blocks(id()) ? 'Unblock' : 'Block'}
              </button>
            </div>
          )}
        </Show>
      </header>
      <RefusalAlert message={note()} />
      <Conversation
        session={session}
        name={props.title}
        token={props.token}
        user={props.user}
        room={null}
        standing={standing}
        canStartThread={false}
        pagePath={paths.conversation(props.dm.channelId)}
        postRefusal={
          aloneRefusal(props.dm, props.user.id) ??
          (partner() && replica.blocks(partner()) ? 'You blocked this member. Unblock them to write here.' : null)
        }
        intro={
          <div class="room-start room-start--thread">
            <h3 class="room-start__title">{props.title}</h3>
            <p class="room-start__text">The start of your conversation. Only the people in it can read it.</p>
          </div>
        }
      />
    </section>
  );
}

/** Others a conversation may hold: a group is at most `groupMaxParticipants` people, the member included. */
const MAX_OTHERS = LIMITS.dm.groupMaxParticipants - 1;

/**
 * "New message": pick one member (a 1:1 conversation) or up to nine (a group, with an optional name)
 * by handle or name, from the members this device knows and the Lounge rooms' member lists. The search
 * box is a combobox: the arrows move through the matches, Enter picks the highlighted one (the first, as
 * soon as something is typed) and clears the box for the next name, and Enter in an empty box starts.
 */
function NewConversation(props: { token: string; user: User }): JSX.Element {
  const replica = useReplica();
  const [picking, setPicking] = createSignal(false);
  const [query, setQuery] = createSignal('');
  const [chosen, setChosen] = createSignal<MemberInfo[]>([]);
  const [title, setTitle] = createSignal('');
  const [starting, setStarting] = createSignal(false);
  const [status, setStatus] = createSignal<{ text: string; error: boolean } | null>(null);
  const [fetched, setFetched] = createSignal<MemberInfo[]>([]);
  /** The highlighted match (keyboard), by position in `candidates()`. */
  const [active, setActive] = createSignal(0);
  const loadRoomMembers = () => {
    const rooms = cachedLounge(props.user.id)?.rooms ?? [];
    for (const room of rooms) {
      void fetchMembers(props.token, room.id)
        .then(({ members }) => {
          const found = members
            .filter((m) => !m.user.deleted && m.user.handle)
            .map((m) => ({ id: m.user.id, handle: m.user.handle!, name: m.user.displayName }));
          for (const m of found) replica.members.remember(m);
          setFetched((all) => [...all, ...found]);
        })
        .catch(() => undefined);
    }
  };
  // Beside the members this device knows, the server's directory: someone who never posted in a room the
  // device loaded is found too. Asked a moment after typing stops; offline, the known members remain.
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(searchTimer));
  createEffect(
    on(query, (typed) => {
      clearTimeout(searchTimer);
      const q = typed.trim().replace(/^@/, '');
      if (q === '') return;
      searchTimer = setTimeout(() => {
        searchMembers(props.token, q)
          .then(({ users }) => {
            const found = users
              .filter((u) => !u.deleted && u.handle)
              .map((u) => ({ id: u.id, handle: u.handle!, name: u.displayName }));
            for (const m of found) replica.members.remember(m);
            setFetched((all) => [...all, ...found]);
          })
          .catch(() => undefined);
      }, 200);
    }),
  );
  const candidates = () => {
    const q = query().trim().replace(/^@/, '').toLowerCase();
    const seen = new Set<string>();
    const out: MemberInfo[] = [];
    for (const m of [...replica.members.all(), ...fetched()]) {
      if (m.id === props.user.id || seen.has(m.id) || !m.handle) continue;
      seen.add(m.id);
      if (q === '' || m.handle.toLowerCase().includes(q) || m.name.toLowerCase().includes(q)) out.push(m);
    }
    return out.sort((a, b) => a.handle.localeCompare(b.handle)).slice(0, 30);
  };
  const activeMember = () => {
    const list = candidates();
    return list.length === 0 ? undefined : list[Math.min(active(), list.length - 1)];
  };
  const isChosen = (id: string) => chosen().some((m) => m.id === id);
  const full = () => chosen().length >= MAX_OTHERS;
  const toggle = (member: MemberInfo) => {
    setStatus(null);
    if (isChosen(member.id)) setChosen((all) => all.filter((m) => m.id !== member.id));
    else if (!full()) setChosen((all) => [...all, member]);
  };
  const onSearchKey = (e: KeyboardEvent) => {
    const count = candidates().length;
    if (e.key === 'Escape') close();
    else if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && count > 0) {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (Math.min(i, count - 1) + step + count) % count);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const member = activeMember();
      if (query().trim() !== '' && member) {
        if (!isChosen(member.id) && full()) return;
        toggle(member);
        setQuery('');
        setActive(0);
      } else if (query().trim() === '') start();
    }
  };
  const close = () => {
    setPicking(false);
    // A refusal answered the attempt just closed; it must not greet the next one.
    setStatus(null);
    setQuery('');
    setChosen([]);
    setTitle('');
  };
  const start = () => {
    const people = chosen();
    if (people.length === 0 || starting()) return;
    const group = people.length > 1;
    const id = replica.enqueue({
      kind: 'start_dm',
      participantIds: people.map((m) => m.id),
      title: group && title().trim() !== '' ? title().trim() : null,
    });
    setStarting(true);
    setStatus({
      text: `Opening a conversation with ${people.map((m) => m.name).join(', ')}…`,
      error: false,
    });
    void replica.whenVerdict(id).then((verdict) => {
      setStarting(false);
      if (verdict.status === 'rejected') {
        replica.dropFailed(id);
        setStatus({ text: verdict.reason, error: true });
        return;
      }
      setStatus(null);
      close();
      if (verdict.channelId) navigate(paths.conversation(verdict.channelId));
    });
  };
  return (
    <div class="picker">
      <Show
        when={picking()}
        fallback={
          <button
            type="button"
            class="button button--primary button--small"
            onClick={() => {
              setPicking(true);
              setStatus(null);
              loadRoomMembers();
            }}
          >
            <PlusIcon />
            New message
          </button>
        }
      >
        <label class="msg-form__field" for="dm-search">
          Who do you want to write to?
        </label>
        <input
          id="dm-search"
          class="input"
          role="combobox"
          aria-expanded="true"
          aria-controls="dm-results"
          aria-autocomplete="list"
          aria-activedescendant={activeMember() ? `dm-option-${activeMember()!.id}` : undefined}
          placeholder="Search by handle or name"
          autocomplete="off"
          aria-describedby="dm-pick-hint"
          value={query()}
          ref={(el) => queueMicrotask(() => el.focus())}
          onInput={(e) => {
            setQuery(e.currentTarget.value);
            setActive(0);
          }}
          onKeyDown={onSearchKey}
        />
        <p class="picker__hint" id="dm-pick-hint">
          Pick one member, or up to {MAX_OTHERS} for a group. Enter picks the highlighted one; Enter in an empty box
          starts the conversation.
        </p>
        <Show when={chosen().length > 0}>
          <ul class="picker__chosen" aria-label="Chosen members">
            <For each={chosen()}>
              {(m) => (
                <li class="picker__chip">
                  <span>{m.name}</span>
                  <button
                    type="button"
                    class="picker__chip-remove"
                    aria-label={`Remove ${m.name}`}
                    onClick={() => toggle(m)}
                  >
                    <CloseIcon />
                  </button>
                </li>
              )}
            </For>
          </ul>
        </Show>
        <Show when={candidates().length === 0}>
          <p class="side-panel__note">No member by that name here yet.</p>
        </Show>
        <ul class="picker__results" id="dm-results" role="listbox" aria-label="Members" aria-multiselectable="true">
          <For each={candidates()}>
            {(m) => (
              // Picked with the mouse here, with the keyboard from the search box (its active descendant).
              <li
                id={`dm-option-${m.id}`}
                role="option"
                class="picker__option"
                classList={{
                  'picker__option--on': isChosen(m.id),
                  'picker__option--active': activeMember()?.id === m.id,
                }}
                aria-selected={isChosen(m.id)}
                aria-disabled={!isChosen(m.id) && full()}
                onClick={() => toggle(m)}
              >
                <Avatar
                  user={{ id: m.id, handle: m.handle, displayName: m.name, avatarUrl: null, isGlobalAdmin: false }}
                  size={28}
                />
                <span class="picker__option-text">
                  {m.name} <span class="picker__handle">@{m.handle}</span>
                </span>
                <Show when={isChosen(m.id)}>
                  <CheckIcon />
                </Show>
              </li>
            )}
          </For>
        </ul>
        <Show when={full()}>
          <p class="side-panel__note" role="status">
            A conversation holds at most {LIMITS.dm.groupMaxParticipants} people, you included.
          </p>
        </Show>
        <Show when={chosen().length > 1}>
          <label class="msg-form__field" for="dm-title">
            Group name (optional)
          </label>
          <input
            id="dm-title"
            class="input"
            maxLength={LIMITS.text.dmTitleMaxChars}
            value={title()}
            onInput={(e) => setTitle(e.currentTarget.value)}
          />
        </Show>
        <div class="msg-form__buttons">
          <button type="button" class="button button--ghost button--small" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            class="button button--primary button--small"
            disabled={chosen().length === 0 || starting()}
            onClick={start}
          >
            {chosen().length > 1 ? `Start group (${chosen().length + 1} people)` : 'Start conversation'}
          </button>
        </div>
      </Show>
      <Show when={status()}>
        {(s) => (
          <p classList={{ refusal: s().error, 'side-panel__note': !s().error }} role={s().error ? 'alert' : 'status'}>
            {s().text}
          </p>
        )}
      </Show>
    </div>
  );
}
