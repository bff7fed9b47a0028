import { Show, type JSX } from 'solid-js';
import type { Room } from '../api/types.ts';
import { onlineLabel, unreadBadgeText, unreadLabel } from '../format.ts';
import { paths } from '../router.ts';
import { Link } from './Link.tsx';

/**
 * One room in the sidebar: emoji, name, what is new, one line of description, who is here. `href` is the
 * room's address (a Lounge room's by default; Thrive Circles live under /thrive-circle).
 */
export function RoomListItem(props: { room: Room; selected: boolean; href?: string }): JSX.Element {
  const id = () => `room-${props.room.id}`;
  const hasUnread = () => props.room.unreadCount > 0;
  return (
    <li class="room-item">
      <Link
        href={props.href ?? paths.room(props.room.slug)}
        class="room-item__link"
        classList={{ 'room-item__link--selected': props.selected, 'room-item__link--unread': hasUnread() }}
        aria-current={props.selected ? 'page' : undefined}
        // Named by its content (name, unread, description, online), so what a screen reader says and what a
        // voice-control user sees and speaks match (axe: label-content-name-mismatch).
        data-room-slug={props.room.slug}
      >
        <span class="room-item__emoji" aria-hidden="true">
          {props.room.emoji}
        </span>
        <span class="room-item__body">
          <span class="room-item__row">
            <span class="room-item__name" id={`${id()}-name`}>
              {props.room.name}
            </span>
            <Show when={props.room.archived}>
              <span class="room-item__tag">Archived</span>
            </Show>
            <Show when={hasUnread()}>
              <span class="badge" role="img" id={`${id()}-unread`} aria-label={unreadLabel(props.room.unreadCount)}>
                {unreadBadgeText(props.room.unreadCount)}
              </span>
            </Show>
          </span>
          <span class="room-item__row">
            <span class="room-item__description" id={`${id()}-description`}>
              {props.room.description}
            </span>
            <span
              class="room-item__online"
              classList={{ 'room-item__online--active': props.room.onlineCount > 0 }}
              id={`${id()}-online`}
            >
              <span class="presence-dot" aria-hidden="true" />
              {onlineLabel(props.room.onlineCount)}
            </span>
          </span>
        </span>
      </Link>
    </li>
  );
}
