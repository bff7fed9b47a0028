import { createMemo, For, Index, Match, Show, Switch, type JSX } from 'solid-js';
import type { Room } from '../api/types.ts';
import { RefreshIcon } from './icons.tsx';
import { RoomListItem } from './RoomListItem.tsx';

export interface RoomListProps {
  rooms: Room[];
  selectedSlug: string | null;
  loading: boolean;
  error: string | null;
  onRetry: () => void;
  /** The list's accessible name and heading (the Lounge's by default). */
  label?: string;
  heading?: string;
  /** A room's address (a Lounge room's by default). */
  hrefFor?: (room: Room) => string;
  /** What an empty list says. */
  emptyNote?: string;
  /** Beside the heading: what an admin may do with the list (a "New room" button). */
  action?: JSX.Element;
}

const SKELETON_ROWS = 5;

/** Arrow keys move between rooms like in a menu, while Tab still leaves the list in one step per room. */
function moveFocus(event: KeyboardEvent & { currentTarget: HTMLElement }): void {
  const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End'];
  if (!keys.includes(event.key)) return;
  // Rooms in a closed group (the archived ones) are not reachable by arrows until the group is opened.
  const links = Array.from(event.currentTarget.querySelectorAll<HTMLAnchorElement>('a.room-item__link')).filter(
    (link) => link.getClientRects().length > 0,
  );
  if (links.length === 0) return;
  const index = links.findIndex((link) => link === document.activeElement);
  let next: number;
  if (event.key === 'Home') next = 0;
  else if (event.key === 'End') next = links.length - 1;
  else if (event.key === 'ArrowDown') next = index < 0 ? 0 : Math.min(index + 1, links.length - 1);
  else next = index < 0 ? links.length - 1 : Math.max(index - 1, 0);
  event.preventDefault();
  links[next]?.focus();
}

/**
 * A sidebar's rooms in the order given: the Lounge's topic rooms, or the member's Thrive Circles. Archived
 * rooms (read-only) come after the others in a group of their own, closed unless the open room is one of them.
 */
export function RoomList(props: RoomListProps): JSX.Element {
  const active = () => props.rooms.filter((room) => !room.archived);
  const archived = () => props.rooms.filter((room) => room.archived);
  // A memo, so a refreshed list does not close the group the member opened: it opens when the room does.
  const archivedOpen = createMemo(() => archived().some((room) => room.slug === props.selectedSlug));
  const item = (room: Room) => (
    <RoomListItem room={room} selected={room.slug === props.selectedSlug} href={props.hrefFor?.(room)} />
  );
  return (
    <nav
      class="room-list"
      aria-label={props.label ?? 'Lounge rooms'}
      aria-busy={props.loading && props.rooms.length === 0}
    >
      <div class="room-list__head">
        <h2 class="section-label" id="room-list-heading">
          {props.heading ?? 'Rooms'}
        </h2>
        {props.action}
      </div>
      <Switch>
        <Match when={props.rooms.length > 0}>
          <div onKeyDown={moveFocus}>
            <ul class="room-list__items">
              <For each={active()}>{item}</For>
            </ul>
            <Show when={archived().length > 0}>
              <details class="room-list__archived" open={archivedOpen()}>
                <summary class="room-list__archived-summary">
                  Archived <span class="room-list__archived-count">{archived().length}</span>
                </summary>
                <ul class="room-list__items">
                  <For each={archived()}>{item}</For>
                </ul>
              </details>
            </Show>
          </div>
        </Match>
        <Match when={props.error}>
          {(message) => (
            <div class="inline-error" role="alert">
              <p>{message()}</p>
              <button type="button" class="button button--secondary button--small" onClick={() => props.onRetry()}>
                <RefreshIcon />
                Try again
              </button>
            </div>
          )}
        </Match>
        <Match when={props.loading}>
          <ul class="room-list__items" aria-hidden="true">
            <Index each={Array.from({ length: SKELETON_ROWS })}>
              {() => (
                <li class="room-item room-item--skeleton">
                  <span class="skeleton skeleton--tile" />
                  <span class="room-item__skeleton-lines">
                    <span class="skeleton skeleton--line" />
                    <span class="skeleton skeleton--line skeleton--short" />
                  </span>
                </li>
              )}
            </Index>
          </ul>
          <span class="visually-hidden" role="status">
            Loading rooms…
          </span>
        </Match>
        <Match when={true}>
          <p class="empty-note">{props.emptyNote ?? 'No rooms yet. An admin can open the first one.'}</p>
        </Match>
      </Switch>
    </nav>
  );
}
