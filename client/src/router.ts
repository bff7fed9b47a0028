import { createSignal } from 'solid-js';
import { paths } from '../../shared/app/paths.ts';

/** The app's pages (their addresses: shared/app/paths.ts). */
export type Route =
  | { name: 'lounge'; roomSlug: string | null; threadId: string | null }
  | { name: 'thrive-circle'; circleSlug: string | null; threadId: string | null }
  | { name: 'messages'; channelId: string | null }
  | { name: 'moderation' }
  | { name: 'search' }
  | { name: 'notifications' }
  | { name: 'settings' }
  | { name: 'not-found'; path: string };

export { paths };

export function parseRoute(pathname: string): Route {
  const segments = pathname.split('/').filter((s) => s !== '');
  const [first, second, ...rest] = segments;
  if (first === undefined || (first === 'lounge' && second === undefined))
    return { name: 'lounge', roomSlug: null, threadId: null };
  if (first === 'lounge' && rest.length === 0 && second !== undefined) {
    return { name: 'lounge', roomSlug: safeDecode(second), threadId: null };
  }
  if (first === 'lounge' && second !== undefined && rest.length === 2 && rest[0] === 'thread') {
    return { name: 'lounge', roomSlug: safeDecode(second), threadId: safeDecode(rest[1]!) };
  }
  if (first === 'thrive-circle' && second === undefined) {
    return { name: 'thrive-circle', circleSlug: null, threadId: null };
  }
  if (first === 'thrive-circle' && second !== undefined && rest.length === 0) {
    return { name: 'thrive-circle', circleSlug: safeDecode(second), threadId: null };
  }
  if (first === 'thrive-circle' && second !== undefined && rest.length === 2 && rest[0] === 'thread') {
    return { name: 'thrive-circle', circleSlug: safeDecode(second), threadId: safeDecode(rest[1]!) };
  }
  if (first === 'messages' && rest.length === 0) return { name: 'messages', channelId: second ?? null };
  if (first === 'moderation' && second === undefined) return { name: 'moderation' };
  if (first === 'search' && second === undefined) return { name: 'search' };
  if (first === 'notifications' && second === undefined) return { name: 'notifications' };
  if (first === 'settings' && second === undefined) return { name: 'settings' };
  return { name: 'not-found', path: pathname };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const [pathname, setPathname] = createSignal(window.location.pathname);

/** The current path; every view derives what to show from it, so back/forward just work. */
export { pathname };

export const currentRoute = (): Route => parseRoute(pathname());

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  setPathname(window.location.pathname);
}

window.addEventListener('popstate', () => setPathname(window.location.pathname));

// The bare origin is the Lounge; rewriting it keeps one canonical URL per page for sharing and reloads.
if (window.location.pathname === '/') navigate(paths.lounge, { replace: true });
