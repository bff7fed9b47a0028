import { createMemo, createSignal, For, onMount, Show, type JSX } from 'solid-js';
import { cachedCircles } from '../api/circles.ts';
import { cachedLounge } from '../api/lounge.ts';
import type { User } from '../api/types.ts';
import { useReplica } from '../replica/context.ts';
import { byRecentActivity, isDmUnread } from '../replica/dm-unread.ts';
import { navigate, paths } from '../router.ts';
import { matchPlaces } from '../lib/place-match.ts';
import { dmTitle } from '../lib/dm-title.ts';

interface Destination {
  key: string;
  /** What the member types to find it. */
  name: string;
  /** Room, circle, conversation or page: said beside the name. */
  kind: string;
  emoji: string;
  href: string;
  unread: boolean;
}

const MAX_SHOWN = 12;

/**
 * Ctrl/⌘+K: jump to any room, circle, conversation or page by typing part of its name, as in Slack and
 * Discord. Works offline (the places come from what this device keeps). With nothing typed, the places
 * with something new come first. A modal dialog: Escape closes it and focus returns where it was.
 */
export function QuickSwitcher(props: { user: User; onClose: () => void }): JSX.Element {
  const replica = useReplica();
  const [query, setQuery] = createSignal('');
  const [active, setActive] = createSignal(0);
  let dialog: HTMLDialogElement | undefined;
  let input: HTMLInputElement | undefined;
  const returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  onMount(() => {
    dialog?.showModal();
    input?.focus();
  });

  const places = createMemo((): Destination[] => {
    const me = props.user.id;
    const rooms = (cachedLounge(me)?.rooms ?? []).map((room) => ({
      key: `room-${room.id}`,
      name: room.name,
      kind: 'Room',
      emoji: room.emoji,
      href: paths.room(room.slug),
      unread: room.lastSeq !== undefined ? room.lastSeq > replica.readMarker(room.id) : room.unreadCount > 0,
    }));
    const circles = (cachedCircles(me)?.circles ?? []).map((circle) => ({
      key: `circle-${circle.id}`,
      name: circle.name,
      kind: 'Thrive Circle',
      emoji: circle.emoji,
      href: paths.circle(circle.slug),
      unread: circle.lastSeq !== undefined && circle.lastSeq > replica.readMarker(circle.id),
    }));
    const dms = byRecentActivity(replica.dms()).map((dm) => ({
      key: `dm-${dm.channelId}`,
      name: dmTitle(dm, me, (id) => replica.members.nameOf(id)),
      kind: dm.isGroup ? 'Group conversation' : 'Direct message',
      emoji: '💬',
      href: paths.conversation(dm.channelId),
      unread: isDmUnread(dm, me, replica.readMarker(dm.channelId)),
    }));
    const pages = [
      { key: 'page-messages', name: 'Messages', emoji: '✉️', href: paths.messages },
      { key: 'page-notifications', name: 'Notifications', emoji: '🔔', href: paths.notifications },
      { key: 'page-search', name: 'Search messages', emoji: '🔎', href: paths.search },
      { key: 'page-settings', name: 'Settings', emoji: '⚙️', href: paths.settings },
    ].map((p) => ({ ...p, kind: 'Page', unread: false }));
    return [...rooms, ...circles, ...dms, ...pages];
  });

  const matches = createMemo(() => matchPlaces(places(), query(), MAX_SHOWN));
  const current = () => matches()[Math.min(active(), matches().length - 1)];

  const go = (place: Destination | undefined) => {
    if (!place) return;
    props.onClose();
    navigate(place.href);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const count = matches().length;
    if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && count > 0) {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (Math.min(i, count - 1) + step + count) % count);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      go(current());
    }
  };

  return (
    <dialog
      ref={(el) => (dialog = el)}
      class="quick-switcher"
      aria-label="Jump to a room or conversation"
      // Escape: closed at once (not on the dialog's later close event), so a Ctrl+K right after opens it again.
      onCancel={(event) => {
        event.preventDefault();
        props.onClose();
        returnFocus?.focus();
      }}
      onClose={() => {
        props.onClose();
        returnFocus?.focus();
      }}
      onClick={(event) => {
        // A click on the backdrop (the dialog element itself, outside its box) closes it.
        if (event.target === dialog) dialog?.close();
      }}
    >
      <input
        ref={(el) => (input = el)}
        class="input quick-switcher__input"
        type="text"
        role="combobox"
        aria-label="Where to?"
        aria-expanded="true"
        aria-controls="quick-switcher-list"
        aria-autocomplete="list"
        aria-activedescendant={current() ? `quick-${current()!.key}` : undefined}
        placeholder="Where to? A room, a circle, a person…"
        autocomplete="off"
        value={query()}
        onInput={(event) => {
          setQuery(event.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      <Show
        when={matches().length > 0}
        fallback={<p class="quick-switcher__empty">Nothing here is called “{query().trim()}”.</p>}
      >
        <ul class="quick-switcher__list" id="quick-switcher-list" role="listbox" aria-label="Places">
          <For each={matches()}>
            {(place) => (
              <li
                id={`quick-${place.key}`}
                role="option"
                class="quick-switcher__option"
                aria-selected={current()?.key === place.key}
                onPointerMove={() => setActive(matches().indexOf(place))}
                onClick={() => go(place)}
              >
                <span class="quick-switcher__emoji" aria-hidden="true">
                  {place.emoji}
                </span>
                <span class="quick-switcher__name">{place.name}</span>
                <Show when={place.unread}>
                  <span class="quick-switcher__unread">new</span>
                </Show>
                <span class="quick-switcher__kind">{place.kind}</span>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <p class="quick-switcher__hint" aria-hidden="true">
        ↑↓ to choose · Enter to go · Esc to close
      </p>
    </dialog>
  );
}
