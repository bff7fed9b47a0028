import { Show, type JSX } from 'solid-js';
import type { Room, RoomContextType } from '../api/types.ts';
import { messageCountLabel } from '../format.ts';
import { paths } from '../router.ts';
import { ChevronLeftIcon } from './icons.tsx';
import { Link } from './Link.tsx';

const CONTEXT_LABELS: Record<RoomContextType, string> = {
  text: 'Topic room',
  announcement: 'Announcements',
  help: 'Help room',
  showcase: 'Showcase',
  voice: 'Voice room',
};

/** Where a room header's back button leads: the list the room was opened from. */
export interface BackLink {
  href: string;
  label: string;
}

const TO_LOUNGE: BackLink = { href: paths.lounge, label: 'All rooms' };

/**
 * The top of a room: what it is for and who is around. `onlineCount` is the live count from presence
 * once the room is open; the room list's count is the fallback.
 */
export function RoomHeader(props: {
  room: Room;
  onlineCount?: number;
  back?: BackLink;
  children?: JSX.Element;
}): JSX.Element {
  const online = () => props.onlineCount ?? props.room.onlineCount;
  const back = () => props.back ?? TO_LOUNGE;
  const kind = () => (props.room.roomType === 'circle' ? 'Private circle' : CONTEXT_LABELS[props.room.contextType]);
  return (
    <header class="room-header">
      <Link class="room-header__back button button--ghost" href={back().href} aria-label={back().label}>
        <ChevronLeftIcon />
      </Link>
      <span class="room-header__emoji" aria-hidden="true">
        {props.room.emoji}
      </span>
      <div class="room-header__text">
        <h1 class="room-header__title" id="room-title">
          {props.room.name}
        </h1>
        <p class="room-header__description">{props.room.description}</p>
      </div>
      <ul class="room-header__facts" aria-label="About this room">
        <li class="chip">{kind()}</li>
        <Show when={props.room.archived}>
          <li class="chip">Archived</li>
        </Show>
        <li class="chip chip--online">
          <span class="presence-dot" classList={{ 'presence-dot--active': online() > 0 }} aria-hidden="true" />
          {/* A phone's header shows the count alone; the word stays for screen readers. */}
          <span>
            {online()}
            <span class="room-header__online-word"> online</span>
          </span>
        </li>
        <li class="chip chip--count">{messageCountLabel(props.room.messageCount)}</li>
      </ul>
      {props.children}
    </header>
  );
}

/** The start of a room's conversation: a welcome that explains the room's rules. */
export function RoomIntro(props: { room: Room }): JSX.Element {
  return (
    <div class="room-start">
      <span class="room-start__emoji" aria-hidden="true">
        {props.room.emoji}
      </span>
      <h2 class="room-start__title">Welcome to {props.room.name}</h2>
      <p class="room-start__text">This is the start of the room. {props.room.description}</p>
      <ul class="room-start__rules">
        <Show when={props.room.roomType === 'circle'}>
          <li>This circle is private: only the members of your weekly cohort read and write here.</li>
        </Show>
        <Show when={props.room.autoThread}>
          <li>Every new question here starts its own thread, so answers stay easy to find.</li>
        </Show>
        <Show when={props.room.slowModeSeconds > 0}>
          <li>
            Slow mode is on: one message every {props.room.slowModeSeconds} seconds (new members wait twice as long;
            trusted members and moderators not at all).
          </li>
        </Show>
        <Show when={props.room.contextType === 'announcement'}>
          <li>Only moderators post here; everyone can read and react.</li>
        </Show>
        <li>Be kind, stay on topic, and help newcomers find their way.</li>
      </ul>
    </div>
  );
}
