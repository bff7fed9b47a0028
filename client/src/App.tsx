import { createEffect, Match, Switch, type JSX } from 'solid-js';
import { fetchAuthConfig, fetchMe } from './api/auth.ts';
import { isApiError, isUnauthorized } from './api/http.ts';
import { AppShell } from './AppShell.tsx';
import { createRefreshable } from './lib/refreshable.ts';
import { endSession, session, SESSION_EXPIRED_NOTICE, updateSessionUser } from './session.ts';
import { SignIn } from './views/SignIn.tsx';
import { StatusScreen } from './views/StatusScreen.tsx';

/**
 * Decides between signing in and the app. A stored session renders at once from its cached profile (so
 * the app opens offline); /api/me then confirms the token, and only a 401 signs the member out.
 */
export function App(): JSX.Element {
  const config = createRefreshable(() => 'auth-config', fetchAuthConfig);
  const me = createRefreshable(() => session()?.token, fetchMe);

  createEffect(() => {
    const user = me.value();
    if (user) updateSessionUser(user);
  });
  createEffect(() => {
    if (isUnauthorized(me.error())) endSession(SESSION_EXPIRED_NOTICE);
  });

  const configError = () => {
    const err = config.error();
    return isApiError(err) ? err.message : 'Lounge could not start. Please try again.';
  };

  return (
    <Switch>
      <Match when={session()}>{(s) => <AppShell session={s()} config={config.value()} />}</Match>
      <Match when={config.value()}>{(c) => <SignIn config={c()} />}</Match>
      <Match when={config.error()}>
        <StatusScreen error message={configError()} onRetry={config.refresh} />
      </Match>
      <Match when={true}>
        <StatusScreen message="Opening the Lounge…" />
      </Match>
    </Switch>
  );
}
