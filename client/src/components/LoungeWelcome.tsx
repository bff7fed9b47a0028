import { For, type JSX } from 'solid-js';
import type { Lounge, Room, User } from '../api/types.ts';
import { paths } from '../router.ts';
import { RoomCard } from './RoomCard.tsx';

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
              <RoomCard room={room} href={paths.room(room.slug)}>
                {room.description}
              </RoomCard>
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}
