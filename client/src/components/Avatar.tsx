import { Show, type JSX } from 'solid-js';
import type { User } from '../api/types.ts';

// Hand-picked so white initials stay readable (at least 4.5:1, axe's bar for small text) on every one of them.
const AVATAR_COLOURS = ['#5b4fe9', '#087f5b', '#b3380c', '#1864ab', '#a61e4d', '#6741d9', '#0b7285', '#5f3dc4'];

function colourFor(id: string): string {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return AVATAR_COLOURS[hash % AVATAR_COLOURS.length] ?? '#5b4fe9';
}

function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [name.trim()];
  return letters
    .map((w) => Array.from(w ?? '')[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
}

/** A member's picture, or their initials on a colour that stays the same for them everywhere. */
export function Avatar(props: { user: User; size?: number }): JSX.Element {
  const size = () => `${props.size ?? 32}px`;
  return (
    <Show
      when={props.user.avatarUrl}
      fallback={
        <span
          class="avatar avatar--initials"
          style={{ width: size(), height: size(), 'background-color': colourFor(props.user.id) }}
          aria-hidden="true"
        >
          {initialsOf(props.user.displayName || props.user.handle)}
        </span>
      }
    >
      {(url) => <img class="avatar" src={url()} alt="" width={props.size ?? 32} height={props.size ?? 32} />}
    </Show>
  );
}
