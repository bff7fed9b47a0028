import { createEffect, createMemo, For, Match, Show, Switch, type JSX } from 'solid-js';
import { cachedCircles, fetchCircles, rememberCircles } from '../api/circles.ts';
import { isApiError } from '../api/http.ts';
import type { Circle, User } from '../api/types.ts';
import { RoomView, type RoomPaths } from '../components/chat/RoomView.tsx';
import { Link } from '../components/Link.tsx';
import { RoomCard } from '../components/RoomCard.tsx';
import { RoomList } from '../components/RoomList.tsx';
import { PaneLoading, PaneOutOfReach } from '../components/RoomPaneStates.tsx';
import { useDocumentTitle } from '../lib/document-title.ts';
import { useLiveRoomList } from '../lib/live-room-list.ts';
import { createRefreshable } from '../lib/refreshable.ts';
import { paths } from '../router.ts';

const PAGE_TITLE = 'Your Thrive Circle';

/** A circle opens with the Lounge's room view, at addresses of its own. */
const CIRCLE_PATHS: RoomPaths = {
  back: { href: paths.thriveCircle, label: 'All circles' },
  room: paths.circle,
  thread: paths.circleThread,
};

const errorText = (err: unknown): string =>
  isApiError(err) ? err.message : 'Your circles could not be loaded. Please try again.';

const memberCountLabel = (count: number): string => (count === 1 ? '1 member' : `${count} members`);

/**
 * Your Thrive Circle: the private rooms of the weekly cohorts the member belongs to (made by the host
 * platform), listed like the Lounge's rooms and opened with the same room view. The last known list is
 * kept on the device, so the page and its circles open offline.
 */
export function ThriveCirclePage(props: {
  token: string;
  user: User;
  circleSlug: string | null;
  threadId: string | null;
}): JSX.Element {
  const circles = createRefreshable(() => props.token, fetchCircles);
  // The last known circles paint at once (and offline); the fresh answer replaces them when it arrives.
  const cached = createMemo(() => cachedCircles(props.user.id));
  createEffect(() => {
    const fresh = circles.value();
    if (fresh) rememberCircles(props.user.id, fresh);
  });
  const data = () => circles.value() ?? cached();
  const selected = createMemo(() => data()?.circles.find((circle) => circle.slug === props.circleSlug) ?? null);
  const list = useLiveRoomList(
    circles,
    () => data()?.circles ?? [],
    () => props.circleSlug,
  );

  useDocumentTitle(() => selected()?.name ?? PAGE_TITLE);

  const listError = () => (circles.error() && list().length === 0 ? errorText(circles.error()) : null);
  const noCircle = () => data() !== undefined && data()!.circles.length === 0 && props.circleSlug === null;

  return (
    <Show when={!noCircle()} fallback={<NoCircle />}>
      <div class="lounge-layout" classList={{ 'lounge-layout--room': selected() !== null }}>
        <aside class="sidebar" aria-label={PAGE_TITLE}>
          <div class="sidebar__header">
            <p class="sidebar__title">{PAGE_TITLE}</p>
            <p class="sidebar__subtitle">The private space of your weekly cohort.</p>
          </div>
          <RoomList
            rooms={list()}
            selectedSlug={props.circleSlug}
            loading={circles.loading() && !data()}
            error={listError()}
            onRetry={circles.refresh}
            label="Your circles"
            heading="Circles"
            hrefFor={(circle) => paths.circle(circle.slug)}
            emptyNote="You are not in a circle yet."
          />
          <Show when={circles.error() && list().length > 0}>
            <p class="sidebar__stale" role="status">
              Showing the last known circles. {errorText(circles.error())}
            </p>
          </Show>
        </aside>
        <main class="room-pane" classList={{ 'room-pane--chat': selected() !== null }} id="main" tabIndex={-1}>
          <Switch>
            <Match when={selected()}>
              {(circle) => (
                <RoomView
                  room={circle()}
                  token={props.token}
                  user={props.user}
                  threadId={props.threadId}
                  paths={CIRCLE_PATHS}
                  onListChanged={circles.refresh}
                />
              )}
            </Match>
            <Match when={props.circleSlug !== null && data()}>
              <div class="page page--centered">
                <NotYourCircle />
              </div>
            </Match>
            <Match when={props.circleSlug === null && data()}>
              <CirclesHome circles={list()} user={props.user} />
            </Match>
            <Match when={listError()}>
              {(message) => (
                <PaneOutOfReach title="Your circles are out of reach" message={message()} onRetry={circles.refresh} />
              )}
            </Match>
            <Match when={true}>
              <PaneLoading status="Loading your circles…" />
            </Match>
          </Switch>
        </main>
      </div>
    </Show>
  );
}

/** The member is in no circle: say what circles are and where they come from. */
function NoCircle(): JSX.Element {
  return (
    <main class="page page--centered" id="main" tabIndex={-1}>
      <div class="empty-state">
        <span class="empty-state__emoji" aria-hidden="true">
          🌱
        </span>
        <h1 class="empty-state__title">You are not in a Thrive Circle yet</h1>
        <p class="empty-state__text">
          Thrive Circles are made by the platform for each weekly cohort: a small private group to learn, share wins and
          keep each other going. When your cohort starts, its circle appears here for you and the members of your week.
        </p>
        <Link class="button button--secondary" href={paths.lounge}>
          Go to The Lounge
        </Link>
      </div>
    </main>
  );
}

/** An address naming a circle this member is not in (or that does not exist): nothing of it is shown. */
function NotYourCircle(): JSX.Element {
  return (
    <div class="empty-state">
      <span class="empty-state__emoji" aria-hidden="true">
        🔒
      </span>
      <h1 class="empty-state__title">This circle is not open to you</h1>
      <p class="empty-state__text">
        There is no circle of yours at this address. A Thrive Circle is private to the members of its weekly cohort.
      </p>
      <Link class="button button--secondary" href={paths.thriveCircle}>
        See your circles
      </Link>
    </div>
  );
}

/** The page with no circle open: a way into each of the member's circles. */
function CirclesHome(props: { circles: Circle[]; user: User }): JSX.Element {
  const firstName = () => props.user.displayName.split(/\s+/)[0] || props.user.handle;
  return (
    <section class="lounge-welcome" aria-labelledby="circles-home-title">
      <p class="eyebrow">{PAGE_TITLE}</p>
      <h1 class="lounge-welcome__title" id="circles-home-title">
        Hi {firstName()} <span aria-hidden="true">🌱</span>
      </h1>
      <p class="lounge-welcome__lead">
        Your circle is the private room of your weekly cohort: only its members read and write here. A new cohort brings
        a new circle; earlier ones stay listed.
      </p>
      <h2 class="section-label">Open your circle</h2>
      <ul class="room-cards">
        <For each={props.circles}>
          {(circle) => (
            <li>
              <RoomCard
                room={circle}
                href={paths.circle(circle.slug)}
                tag={
                  <Show when={circle.archived}>
                    <span class="room-item__tag">Archived</span>
                  </Show>
                }
              >
                {memberCountLabel(circle.memberCount)}
                <Show when={circle.description}> · {circle.description}</Show>
              </RoomCard>
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}
