import type { JSX } from 'solid-js';
import type { AuthConfig, User } from '../api/types.ts';
import { paths } from '../router.ts';
import { BrandMark } from './BrandMark.tsx';
import { CommunityNav } from './CommunityNav.tsx';
import { ConnectionBanner, ConnectionStatus } from './ConnectionStatus.tsx';
import { SearchIcon } from './icons.tsx';
import { Link } from './Link.tsx';
import { NotificationsLink } from './NotificationsLink.tsx';
import { UserMenu } from './UserMenu.tsx';

/** The bar on top of every signed-in page. */
export function AppHeader(props: {
  user: User;
  links: AuthConfig['links'] | undefined;
  onSignOut: () => void;
}): JSX.Element {
  return (
    <header class="app-header">
      <Link class="brand" href={paths.lounge} aria-label="Lounge home">
        <BrandMark size={30} />
        <span class="brand__name" aria-hidden="true">
          Lounge
        </span>
      </Link>
      <CommunityNav links={props.links} user={props.user} />
      <Link
        class="button button--ghost button--icon-on-phone header-search"
        href={paths.search}
        aria-label="Search messages"
        title="Search messages (Ctrl+K jumps to a room or conversation)"
      >
        <SearchIcon />
      </Link>
      <NotificationsLink />
      <ConnectionStatus />
      <UserMenu user={props.user} onSignOut={props.onSignOut} />
      <ConnectionBanner />
    </header>
  );
}
