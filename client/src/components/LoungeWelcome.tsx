import { For, type JSX } from 'solid-js';
import type { Lounge, Room, User } from '../api/types.ts';
import { onlineLabel } from '../format.ts';
import { paths } from '../router.ts';
import { Link } from './Link.tsx';

/** The Lounge's home when no room is open: a greeting and a quick way into each room. */
export function LoungeWelcome(props: { lounge: Lounge; rooms: Room[]; user: User }): JSX.Element {
  const firstName = () => props.user.displayName.split(/\s+/)[0] || props.user.handle;
  return (
    <section class="lounge-welcome" aria-labelledby="lounge-welcome-title">
      <p class="eyebrow">{props.lounge.name}</p>
      <h1 class="lounge-welcome__title" id="lounge-welcome-title">
        Welcome, {firstName()} <span aria-hidden="true">👋</span>
      </h1>
      <p class="lounge-welcome__lead">{props.lounge.description}</p>
      <h2 class="section-label">Jump into a room</h2>
      <ul class="room-cards">
        <For each={props.rooms}>
          {(room) => (
            <li>
              <Link class="room-card" href={paths.room(room.slug)}>
                <span class="room-card__emoji" aria-hidden="true">
                  {room.emoji}
                </span>
                <span class="room-card__name">{room.name}</span>
                <span class="room-card__description">{room.description}</span>
                <span class="room-card__online">
                  <span
                    class="presence-dot"
                    classList={{ 'presence-dot--active': room.onlineCount > 0 }}
                    aria-hidden="true"
                  />
                  {onlineLabel(room.onlineCount)}
                </span>
              </Link>
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}
