import { createSignal } from 'solid-js';
import type { User } from './api/types.ts';

/**
 * The signed-in member: token and user, kept in localStorage so a reload (or opening the app offline)
 * starts signed in with the last known profile instead of a blank screen.
 */
export interface Session {
  token: string;
  user: User;
}

const STORAGE_KEY = 'lounge.session.v1';

function isUser(value: unknown): value is User {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' &&
    typeof v.handle === 'string' &&
    typeof v.displayName === 'string' &&
    (v.avatarUrl === null || typeof v.avatarUrl === 'string') &&
    typeof v.isGlobalAdmin === 'boolean'
  );
}

function readStoredSession(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { token, user } = parsed as Record<string, unknown>;
    return typeof token === 'string' && token !== '' && isUser(user) ? { token, user } : null;
  } catch {
    // Storage can be disabled (privacy modes) or hold a value an older version wrote.
    return null;
  }
}

function writeStoredSession(value: Session | null): void {
  try {
    if (value) localStorage.setItem(STORAGE_KEY, JSON.stringify(value));
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Without storage the session still lasts for this tab, which is the best that can be done.
  }
}

const [session, setSession] = createSignal<Session | null>(readStoredSession());
/** Why the member was signed out without asking, shown once on the sign-in screen. */
const [signOutNotice, setSignOutNotice] = createSignal<string | null>(null);

export { session, signOutNotice };

export function startSession(value: Session): void {
  writeStoredSession(value);
  setSignOutNotice(null);
  setSession(value);
}

/** Keeps the cached profile fresh when the server reports a newer one (e.g. a renamed member). */
export function updateSessionUser(user: User): void {
  const current = session();
  if (!current) return;
  const same = JSON.stringify(current.user) === JSON.stringify(user);
  if (same) return;
  startSession({ token: current.token, user });
}

export function endSession(notice: string | null = null): void {
  writeStoredSession(null);
  setSignOutNotice(notice);
  setSession(null);
}

export const SESSION_EXPIRED_NOTICE = 'Your session has ended. Please sign in again.';
export const ACCOUNT_DELETED_NOTICE = 'Your Lounge account was deleted, and this device no longer holds any of it.';

// Signing in or out in one tab applies to every open tab of the app.
window.addEventListener('storage', (event) => {
  if (event.key === STORAGE_KEY || event.key === null) setSession(readStoredSession());
});
