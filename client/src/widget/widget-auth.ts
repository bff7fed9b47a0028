import { createSignal, type Accessor } from 'solid-js';
import { fetchMe } from '../api/auth.ts';
import { isNetworkError, isUnauthorized, isApiError } from '../api/http.ts';
import type { User } from '../api/types.ts';
import { session as appSession } from '../session.ts';
import type { EmbedAddress } from './embed-address.ts';
import { isFramed, listenForHostToken, requestHostToken } from './host-bridge.ts';

export type WidgetAuth =
  | { status: 'waiting' }
  /** Framed, but the page never answered: it has not set up the widget's sign-in (or is still loading). */
  | { status: 'no-host' }
  /** Opened directly (not framed) with no Lounge session on this device. */
  | { status: 'standalone-signed-out' }
  | { status: 'signed-out'; message: string }
  | { status: 'unreachable'; message: string }
  | { status: 'signed-in'; token: string; user: User };

/** How long the host page has to answer before the widget explains that it is not signed in. */
const HOST_ANSWER_MS = 6000;
const ASK_AGAIN_MS = 1500;
const ME_CACHE_KEY = 'lounge.widget.me.v1';

/** The member of the last token checked on this device, so a widget reopened offline still knows who it is. */
function cachedMember(token: string): User | null {
  try {
    const raw = localStorage.getItem(ME_CACHE_KEY);
    if (!raw) return null;
    const cached = JSON.parse(raw) as { token?: unknown; user?: User } | null;
    return cached?.token === token && cached.user && typeof cached.user.id === 'string' ? cached.user : null;
  } catch {
    return null;
  }
}

function rememberMember(token: string, user: User): void {
  try {
    localStorage.setItem(ME_CACHE_KEY, JSON.stringify({ token, user }));
  } catch {
    // Storage disabled: the widget then needs the network to open.
  }
}

/**
 * Who the widget acts for. Framed in a host page, only the token that page hands over counts: a Lounge
 * session stored on this origin is never used there, so a page cannot make a visitor act in Lounge without
 * holding their token itself. Opened directly (its own tab), it uses the Lounge session like the app does.
 */
export function createWidgetAuth(address: EmbedAddress): {
  state: Accessor<WidgetAuth>;
  /** The server refused the token (expired): ask the host for a fresh one. */
  renew: () => void;
  dispose: () => void;
} {
  const [state, setState] = createSignal<WidgetAuth>({ status: 'waiting' });
  let refused: string | null = null;
  let checking = 0;

  const check = async (token: string | null) => {
    const attempt = ++checking;
    if (token === null) {
      setState({ status: 'signed-out', message: 'Sign in to join the conversation.' });
      return;
    }
    if (token === refused) {
      setState({ status: 'signed-out', message: 'Your sign-in has expired. Reload the page to continue.' });
      return;
    }
    try {
      const user = await fetchMe(token);
      if (attempt !== checking) return;
      rememberMember(token, user);
      setState({ status: 'signed-in', token, user });
    } catch (err) {
      if (attempt !== checking) return;
      const known = cachedMember(token);
      if (isNetworkError(err) && known) setState({ status: 'signed-in', token, user: known });
      else if (isUnauthorized(err)) {
        refused = token;
        setState({
          status: 'signed-out',
          message: isApiError(err) ? err.message : 'Sign in to join the conversation.',
        });
      } else {
        setState({
          status: 'unreachable',
          message: isApiError(err) ? err.message : "Can't reach Lounge right now.",
        });
      }
    }
  };

  if (!isFramed()) {
    const stored = appSession();
    if (stored) setState({ status: 'signed-in', token: stored.token, user: stored.user });
    else setState({ status: 'standalone-signed-out' });
    return { state, renew: () => setState({ status: 'standalone-signed-out' }), dispose: () => {} };
  }

  // Asked again until the page answers: a host may add its listener after the frame has loaded (a
  // framework mounting it later), and a request sent before that is lost.
  let asking: ReturnType<typeof setInterval> | undefined;
  const ask = () => {
    clearInterval(asking);
    requestHostToken(address);
    asking = setInterval(() => requestHostToken(address), ASK_AGAIN_MS);
  };
  const stop = listenForHostToken((token) => {
    clearInterval(asking);
    void check(token);
  });
  const timer = setTimeout(() => {
    if (state().status === 'waiting') setState({ status: 'no-host' });
  }, HOST_ANSWER_MS);
  ask();

  return {
    state,
    renew: () => {
      const current = state();
      if (current.status === 'signed-in') refused = current.token;
      ask();
    },
    dispose: () => {
      stop();
      clearTimeout(timer);
      clearInterval(asking);
    },
  };
}
