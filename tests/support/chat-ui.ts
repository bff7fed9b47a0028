import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { OpenedPage } from './browser.ts';
import { REPO_ROOT } from './server-process.ts';

/** How the end-to-end tests find a conversation on screen: by the name its log and composer carry. */
export type ConversationRef = string | { name: string };
const nameOf = (ref: ConversationRef) => (typeof ref === 'string' ? ref : ref.name);

export const UI_TIMEOUT_MS = 15_000;
/** Live delivery between browsers, with a server on a two-core machine under a test runner. */
export const LIVE_TIMEOUT_MS = 10_000;
/** Where the end-to-end tests save screenshots of the main views for a person to look at (git ignores it). */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'tests', 'artifacts', 'screenshots');

/** The composer is a combobox: its textarea owns the @-mention suggestion list. */
export const composer = (page: Page, ref: ConversationRef) =>
  page.getByRole('combobox', { name: `Message ${nameOf(ref)}`, exact: true });
export const messageLog = (page: Page, ref: ConversationRef) =>
  page.getByRole('log', { name: `Messages in ${nameOf(ref)}` });
/** Confirmed messages (they have a server id); pending and refused sends carry an intent id instead. */
export const confirmed = (page: Page, ref: ConversationRef) =>
  messageLog(page, ref).locator('article.msg[data-message-id]');
export const pending = (page: Page, ref: ConversationRef) =>
  messageLog(page, ref).locator('article.msg[data-intent-id]');
export const confirmedBodies = async (page: Page, ref: ConversationRef) =>
  (await confirmed(page, ref).locator('.msg__body').allInnerTexts()).map((t) => t.trim());
export const messageWithText = (page: Page, ref: ConversationRef, text: string): Locator =>
  confirmed(page, ref).filter({ has: page.locator('.msg__body', { hasText: text }) });

/** Errors a healthy page must not produce; the browser's own log line for a failed request is not one. */
export function unexpectedErrors(opened: OpenedPage): string[] {
  return opened.errors.filter(
    (e) => !e.includes('Failed to load resource') && !e.includes('net::ERR_INTERNET_DISCONNECTED'),
  );
}

/** Fills and submits the demo sign-in form the page shows. */
export async function submitDemoSignIn(page: Page, handle: string, displayName: string): Promise<void> {
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel(/Display name/).fill(displayName);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Whether the service worker has the app shell (up to 10 s): what lets a member's app open and keep
 * working offline, as it does for anyone who has used it before.
 */
export function offlineReady(page: Page): Promise<boolean> {
  return page.evaluate<boolean>(
    'Promise.race([navigator.serviceWorker.ready.then(() => true), new Promise((r) => setTimeout(() => r(false), 10000))])',
  );
}

/** Takes the page's device offline once its app can work offline, and waits for the header to say so. */
export async function goOffline(page: Page): Promise<void> {
  expect(await offlineReady(page)).toBe(true);
  await page.context().setOffline(true);
  await expect
    .poll(() => page.locator('.connection').getAttribute('data-state'), { timeout: UI_TIMEOUT_MS })
    .toBe('offline');
}

export async function waitOnline(page: Page): Promise<void> {
  await expect
    .poll(() => page.locator('.connection').getAttribute('data-state'), { timeout: UI_TIMEOUT_MS })
    .toBe('online');
}

/** A demo account made over the API (no browser): its token and id, for set-up before a page opens. */
export async function demoAccount(
  url: string,
  handle: string,
  displayName: string,
): Promise<{ token: string; id: string }> {
  const res = await fetch(`${url}/api/auth/demo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ handle, displayName }),
  });
  if (!res.ok) throw new Error(`demo sign-in failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token: string; user: { id: string } };
  return { token: body.token, id: body.user.id };
}
