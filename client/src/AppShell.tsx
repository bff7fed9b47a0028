import { createEffect, createMemo, Match, on, onCleanup, onMount, Show, Switch, type JSX } from 'solid-js';
import type { AuthConfig } from './api/types.ts';
import { AppHeader } from './components/AppHeader.tsx';
import { UnsentElsewhere } from './components/UnsentElsewhere.tsx';
import { QuickSwitcher } from './components/QuickSwitcher.tsx';
import { setSwitcherOpen, switcherOpen } from './lib/quick-switcher-state.ts';
import { ReplicaContext } from './replica/context.ts';
import { Replica } from './replica/replica.ts';
import { refreshStanding } from './replica/standing.ts';
import { currentRoute, type Route } from './router.ts';
import { ACCOUNT_DELETED_NOTICE, endSession, session, SESSION_EXPIRED_NOTICE, type Session } from './session.ts';
import { LoungePage } from './views/LoungePage.tsx';
import { MessagesPage } from './views/MessagesPage.tsx';
import { NotificationsPage } from './views/NotificationsPage.tsx';
import { ModerationPage } from './views/ModerationPage.tsx';
import { SearchPage } from './views/SearchPage.tsx';
import { SettingsPage } from './views/SettingsPage.tsx';
import { ThriveCirclePage } from './views/ThriveCirclePage.tsx';
import { applyTheme } from './components/settings/theme.ts';
import { NotFound } from './views/NotFound.tsx';

/** Everything a signed-in member sees: the header, and the page the address names. */
export function AppShell(props: { session: Session; config: AuthConfig | undefined }): JSX.Element {
  // The theme picked in Settings on this device (none: the operating system's).
  applyTheme();
  const route = currentRoute;
  const loungeRoute = (): Extract<Route, { name: 'lounge' }> | null => {
    const r = route();
    return r.name === 'lounge' ? r : null;
  };

  const circleRoute = (): Extract<Route, { name: 'thrive-circle' }> | null => {
    const r = route();
    return r.name === 'thrive-circle' ? r : null;
  };

  const messagesRoute = (): Extract<Route, { name: 'messages' }> | null => {
    const r = route();
    return r.name === 'messages' ? r : null;
  };

  // One local replica per signed-in member: it outlives page changes, not the member's session.
  const replica = createMemo(
    on(
      () => props.session.user.id,
      (userId) => {
        const r = new Replica({
          userId,
          handle: props.session.user.handle,
          name: props.session.user.displayName,
          token: () => session()?.token ?? props.session.token,
          onUnauthorized: () => endSession(SESSION_EXPIRED_NOTICE),
          // Deleted on another device: this one lets go of everything it holds too.
          onAccountDeleted: () => {
            void r.destroy({ wipe: true });
            endSession(ACCOUNT_DELETED_NOTICE);
          },
        });
        onCleanup(() => queueMicrotask(() => void r.destroy()));
        return r;
      },
    ),
  );

  // A moderator acted on the member in a room (mute, ban, warn, or lifted one): that room's standing is
  // read again, so its composer shows the reason, or comes back, at once.
  createEffect(
    on(replica, (current) => {
      const stop = current.onModerationNotice((roomId) =>
        refreshStanding(props.session.user, roomId, session()?.token ?? props.session.token),
      );
      onCleanup(stop);
    }),
  );

  // Ctrl+K (⌘K on a Mac) anywhere: the quick switcher, as in Slack and Discord.
  const onShortcut = (event: KeyboardEvent) => {
    if (event.key.toLowerCase() !== 'k' || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    event.preventDefault();
    // Ctrl+K again closes it, as in Slack; the dialog's own Escape closes it too.
    setSwitcherOpen((open) => !open);
  };
  onMount(() => document.addEventListener('keydown', onShortcut));
  onCleanup(() => document.removeEventListener('keydown', onShortcut));

  // Signing out on purpose also takes the member's messages, drafts and outbox off this device.
  const signOut = (): void => {
    void replica().destroy({ wipe: true });
    endSession();
  };

  return (
    // Keyed: another member signing in (in another tab) gets a fresh shell over their own replica.
    <Show when={replica()} keyed>
      {(current) => (
        <ReplicaContext.Provider value={current}>
          <div class="app">
            <a class="skip-link" href="#main">
              Skip to content
            </a>
            <AppHeader user={props.session.user} links={props.config?.links} onSignOut={signOut} />
            <UnsentElsewhere />
            <Show when={switcherOpen()}>
              <QuickSwitcher user={props.session.user} onClose={() => setSwitcherOpen(false)} />
            </Show>
            <Switch>
              <Match when={loungeRoute()}>
                {(r) => (
                  <LoungePage
                    token={props.session.token}
                    user={props.session.user}
                    roomSlug={r().roomSlug}
                    threadId={r().threadId}
                  />
                )}
              </Match>
              <Match when={circleRoute()}>
                {(r) => (
                  <ThriveCirclePage
                    token={props.session.token}
                    user={props.session.user}
                    circleSlug={r().circleSlug}
                    threadId={r().threadId}
                  />
                )}
              </Match>
              <Match when={messagesRoute()}>
                {(r) => (
                  <MessagesPage token={props.session.token} user={props.session.user} channelId={r().channelId} />
                )}
              </Match>
              <Match when={route().name === 'moderation'}>
                <ModerationPage token={props.session.token} user={props.session.user} />
              </Match>
              <Match when={route().name === 'settings'}>
                <SettingsPage
                  token={props.session.token}
                  user={props.session.user}
                  onAccountDeleted={() => {
                    void replica().destroy({ wipe: true });
                    endSession(ACCOUNT_DELETED_NOTICE);
                  }}
                />
              </Match>
              <Match when={route().name === 'search'}>
                <SearchPage token={props.session.token} user={props.session.user} />
              </Match>
              <Match when={route().name === 'notifications'}>
                <NotificationsPage token={props.session.token} user={props.session.user} />
              </Match>
              <Match when={true}>
                <main class="page page--centered" id="main" tabIndex={-1}>
                  <NotFound />
                </main>
              </Match>
            </Switch>
          </div>
        </ReplicaContext.Provider>
      )}
    </Show>
  );
}
