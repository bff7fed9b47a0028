import type { JSX } from 'solid-js';
import type { Room } from '../api/types.ts';
import { onlineLabel } from '../format.ts';
import { Link } from './Link.tsx';

/** A room as a card on a home page (the Lounge's welcome, the circles' home): a way into it. */
export function RoomCard(props: { room: Room; href: string; tag?: JSX.Element; children: JSX.Element }): JSX.Element {
  return (
    <Link class="room-card" href={props.href}>
      <span class="room-card__emoji" aria-hidden="true">
        {props.room.emoji}
      </span>
      <span class="room-card__name">
        {props.room.name}
        {props.tag}
      </span>
      <span class="room-card__description">{props.children}</span>
      <span class="room-card__online">
        <span
          class="presence-dot"
          classList={{ 'presence-dot--active': props.room.onlineCount > 0 }}
          aria-hidden="true"
        />
        {onlineLabel(props.room.onlineCount)}
      </span>
    </Link>
  );
}
