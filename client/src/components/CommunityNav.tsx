import { createEffect, createMemo, createSignal, For, on, onCleanup, Show, type JSX } from 'solid-js';
import { fetchReviewWaiting } from '../api/community.ts';
import type { AuthConfig, User } from '../api/types.ts';
import { unreadBadgeText } from '../format.ts';
import { setTitleUnread } from '../lib/document-title.ts';
import { useReplica } from '../replica/context.ts';
import { isDmUnread } from '../replica/dm-unread.ts';
import { staffSomewhere } from '../replica/standing.ts';
import { currentRoute, paths, type Route } from '../router.ts';
import { session } from '../session.ts';
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

const dmUnreadLabel = (count: number) =>
  `${count} ${count === 1 ? 'conversation' : 'conversations'} with unread messages`;
const reviewWaitingLabel = (count: number) => `${count > 99 ? '99+' : count} waiting for review`;

/** How often a moderator's Review count is asked again while they stay on one page. */
const REVIEW_POLL_MS = 60_000;

/** The COMMUNITY navigation: the Lounge's own pages plus the host platform's Events and Perks. */
export function CommunityNav(props: { links: AuthConfig['links'] | undefined; user: User }): JSX.Element {
  const replica = useReplica();
  // Conversations with something new, shown wherever the member is (the one on screen reads as read).
  const unreadDms = createMemo(() => {
    const route = currentRoute();
    const openId = route.name === 'messages' ? route.channelId : null;
    return (
      replica
        .dms()
        // Muting is silence (spec): a muted member's new words wait in the list, without a count that calls.
        .filter(
          (dm) =>
            dm.channelId !== openId &&
            isDmUnread(dm, props.user.id, replica.readMarker(dm.channelId)) &&
            !replica.mutes(dm.lastAuthorId ?? null),
        ).length
    );
  });
  createEffect(() => setTitleUnread('dms', unreadDms()));
  onCleanup(() => setTitleUnread('dms', 0));
  // What waits in a moderator's review queue, asked again on each page change (after deciding items, say)
  // and every minute: with a count, Review leads the row on a phone like a waiting conversation does.
  const staff = () => staffSomewhere(props.user);
  const [reviewWaiting, setReviewWaiting] = createSignal(0);
  const [tick, setTick] = createSignal(0);
  const poll = setInterval(() => setTick((n) => n + 1), REVIEW_POLL_MS);
  onCleanup(() => clearInterval(poll));
  let asked = 0;
  createEffect(
    on([() => (staff() ? (session()?.token ?? null) : null), () => currentRoute().name, tick], ([token]) => {
      const mine = ++asked;
      if (!token) {
        setReviewWaiting(0);
        return;
      }
      // Offline or refused: the last count stays.
      fetchReviewWaiting(token).then(
        (answer) => mine === asked && setReviewWaiting(answer.waiting),
        () => undefined,
      );
    }),
  );
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
                <Show when={item.href === paths.messages && unreadDms() > 0}>
                  <span class="badge community-nav__badge" role="img" aria-label={dmUnreadLabel(unreadDms())}>
                    {unreadBadgeText(unreadDms())}
                  </span>
                </Show>
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
              <Show when={reviewWaiting() > 0}>
                <span class="badge community-nav__badge" role="img" aria-label={reviewWaitingLabel(reviewWaiting())}>
                  {unreadBadgeText(reviewWaiting())}
                </span>
              </Show>
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
