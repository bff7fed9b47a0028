import { For, Show, type JSX } from 'solid-js';
import type { PresentMember } from '../../replica/room-session.ts';
import { Avatar } from '../Avatar.tsx';

/** "Ada is typing…", "Ada and Grace are typing…", "Several people are typing…". */
export function typingText(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return 'Several people are typing…';
}

/** Who is typing right now; it disappears 10 s after the last keystroke a member announced. */
export function TypingIndicator(props: { present: PresentMember[] }): JSX.Element {
  const names = () => props.present.filter((m) => m.typing).map((m) => m.name);
  return (
    <div class="typing" data-testid="typing-indicator">
      <Show when={names().length > 0}>
        <span class="typing__dots" aria-hidden="true">
          <span />
          <span />
          <span />
        </span>
        <span class="typing__text">{typingText(names())}</span>
      </Show>
    </div>
  );
}

/** Everyone in the room right now, the member first. */
export function OnlineList(props: {
  present: PresentMember[];
  me: string;
  roomName: string;
  offline: boolean;
}): JSX.Element {
  return (
    <aside class="online-panel" aria-labelledby="online-panel-title">
      <h2 class="section-label online-panel__title" id="online-panel-title">
        Online — {props.present.length}
      </h2>
      <Show when={props.offline}>
        <p class="online-panel__note">You're offline. Who's here shows again once you reconnect.</p>
      </Show>
      <ul class="online-panel__list" aria-label={`Online in ${props.roomName}`}>
        <For each={props.present}>
          {(member) => (
            <li class="online-member" data-user-id={member.id}>
              <span class="online-member__avatar">
                <Avatar
                  user={{
                    id: member.id,
                    handle: member.handle,
                    displayName: member.name,
                    avatarUrl: null,
                    isGlobalAdmin: false,
                  }}
                  size={30}
                />
                <span class="online-member__dot" aria-hidden="true" />
              </span>
              <span class="online-member__text">
                <span class="online-member__name">
                  {member.name}
                  <Show when={member.id === props.me}>
                    <span class="online-member__you"> (you)</span>
                  </Show>
                </span>
                <Show when={member.typing} fallback={<span class="online-member__handle">@{member.handle}</span>}>
                  <span class="online-member__typing">typing…</span>
                </Show>
              </span>
            </li>
          )}
        </For>
      </ul>
    </aside>
  );
}
