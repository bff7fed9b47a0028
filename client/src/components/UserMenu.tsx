import type { JSX } from 'solid-js';
import type { User } from '../api/types.ts';
import { Avatar } from './Avatar.tsx';
import { paths } from '../router.ts';
import { SettingsIcon, SignOutIcon } from './icons.tsx';
import { Link } from './Link.tsx';

/** Who is signed in, their settings, and the way out. */
export function UserMenu(props: { user: User; onSignOut: () => void }): JSX.Element {
  return (
    <div class="user-menu">
      <div class="user-chip" title={`Signed in as @${props.user.handle}`}>
        <Avatar user={props.user} size={32} />
        <span class="user-chip__text">
          <span class="user-chip__name" data-testid="member-name">
            {props.user.displayName}
          </span>
          <span class="user-chip__handle">@{props.user.handle}</span>
        </span>
      </div>
      <Link
        class="button button--ghost button--icon-on-phone"
        href={paths.settings}
        aria-label="Settings"
        title="Settings"
        data-testid="settings-link"
      >
        <SettingsIcon />
      </Link>
      <button
        type="button"
        class="button button--ghost button--icon-below-wide"
        title="Sign out"
        onClick={() => props.onSignOut()}
      >
        <SignOutIcon />
        <span class="button__label">Sign out</span>
      </button>
    </div>
  );
}
