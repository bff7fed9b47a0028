import { For, Show, type JSX } from 'solid-js';
import type { AuthConfig, User } from '../api/types.ts';
import { staffSomewhere } from '../replica/standing.ts';
import { currentRoute, paths, type Route } from '../router.ts';
import { ExternalLinkIcon } from './icons.tsx';
import { Link } from './Link.tsx';

interface InternalItem {
  label: string;
  href: string;
  isActive: (route: Route) => boolean;
}

// The host platform's COMMUNITY menu, in its order; Events and Perks live on the host platform itself.
const INTERNAL_ITEMS: InternalItem[] = [
  { label: 'The Lounge', href: paths.lounge, isActive: (r) => r.name === 'lounge' },
  { label: 'Your Thrive Circle', href: paths.thriveCircle, isActive: (r) => r.name === 'thrive-circle' },
  { label: 'Messages', href: paths.messages, isActive: (r) => r.name === 'messages' },
];

/** The COMMUNITY navigation: the Lounge's own pages plus the host platform's Events and Perks. */
export function CommunityNav(props: { links: AuthConfig['links'] | undefined; user: User }): JSX.Element {
  return (
    <nav class="community-nav" aria-label="Community">
      <span class="community-nav__label" aria-hidden="true">
        Community
      </span>
      <ul class="community-nav__list">
        <For each={INTERNAL_ITEMS}>
          {(item) => (
            <li>
              <Link
                class="community-nav__link"
                href={item.href}
                aria-current={item.isActive(currentRoute()) ? 'page' : undefined}
              >
                {item.label}
              </Link>
            </li>
          )}
        </For>
        <Show when={staffSomewhere(props.user)}>
          <li>
            <Link
              class="community-nav__link"
              href={paths.moderation}
              aria-current={currentRoute().name === 'moderation' ? 'page' : undefined}
            >
              Review
            </Link>
          </li>
        </Show>
        <Show when={props.links}>
          {(links) => (
            <>
              <li>
                <ExternalNavLink href={links().events} label="Events" />
              </li>
              <li>
                <ExternalNavLink href={links().perks} label="Perks" />
              </li>
            </>
          )}
        </Show>
      </ul>
    </nav>
  );
}

function ExternalNavLink(props: { href: string; label: string }): JSX.Element {
  return (
    <a class="community-nav__link" href={props.href} target="_blank" rel="noopener noreferrer">
      {props.label}
      <ExternalLinkIcon />
      <span class="visually-hidden"> (opens in a new tab)</span>
    </a>
  );
}
