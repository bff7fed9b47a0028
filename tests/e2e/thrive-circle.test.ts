import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  openPage,
  seriousAxeViolations,
  type OpenedPage,
  type ViewportName,
} from '../support/browser.ts';
import {
  offlineReady,
  composer,
  messageWithText,
  pending,
  submitDemoSignIn,
  UI_TIMEOUT_MS,
  unexpectedErrors,
  waitOnline,
  LIVE_TIMEOUT_MS,
  SCREENSHOT_DIR,
} from '../support/chat-ui.ts';
import { startServer, type ServerProcess } from '../support/server-process.ts';

/** Per test: two or three browser contexts, each running the whole replica, on a two-core machine. */
const TEST_TIMEOUT_MS = 240_000;
const INTEGRATION_SECRET = 'e2e-circle-integration-secret-0123456789ab';

// Demo sign-in names a member `demo:<handle>` on the host platform's side, so the host can place them.
const ADA = { hostId: 'demo:circ_ada', handle: 'circ_ada', name: 'Ada Circle' };
const BEN = { hostId: 'demo:circ_ben', handle: 'circ_ben', name: 'Ben Circle' };
const OTTO = { hostId: 'demo:circ_otto', handle: 'circ_otto', name: 'Otto Outside' };
const CIRCLE = { hostId: 'cohort-2026-w48', name: 'Week 48 Circle', emoji: '🌻', description: 'Agents, week 48' };

let server: ServerProcess;
let browser: Browser;
let circleRoomId: string;

async function integration(path: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}/api/integration/${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${INTEGRATION_SECRET}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`PUT ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

beforeAll(async () => {
  server = await startServer({ env: { INTEGRATION_SECRET }, readyTimeoutMs: 150_000 });
  browser = await launchBrowser();
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  // The host platform mirrors the three members, then makes the week's circle with two of them.
  for (const member of [ADA, BEN, OTTO]) {
    await integration(`users/${member.hostId}`, { handle: member.handle, displayName: member.name });
  }
  const created = await integration(`circles/${CIRCLE.hostId}`, {
    name: CIRCLE.name,
    emoji: CIRCLE.emoji,
    description: CIRCLE.description,
    members: [ADA.hostId, BEN.hostId],
  });
  expect(created).toMatchObject({ created: true, removed: [] });
  circleRoomId = created.roomId as string;
});

const openedInTest: OpenedPage[] = [];
afterEach(async (context) => {
  if (context.task.result?.state === 'fail') {
    for (const opened of openedInTest) console.log('[circle e2e] page errors', opened.errors);
    console.log('[circle e2e] server output (tail):\n', server.output().slice(-6000));
  }
  for (const opened of openedInTest.splice(0)) await opened.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(
  path: string,
  member: { handle: string; name: string },
  viewport: ViewportName = 'desktop',
): Promise<OpenedPage> {
  const opened = await openPage(browser, { viewport });
  openedInTest.push(opened);
  await opened.page.goto(`${server.url}${path}`);
  await submitDemoSignIn(opened.page, member.handle, member.name);
  await opened.page.locator('.app-header').waitFor({ timeout: UI_TIMEOUT_MS });
  await waitOnline(opened.page);
  return opened;
}

const circleList = (page: Page) => page.getByRole('navigation', { name: 'Your circles' });
const circleLink = (page: Page) => circleList(page).getByRole('link', { name: new RegExp(CIRCLE.name) });

async function send(page: Page, text: string): Promise<void> {
  const box = composer(page, CIRCLE.name);
  await box.fill(text);
  await box.press('Enter');
}

/** What the server answers a member's own token for a path (the session the page signed in with). */
async function apiStatus(page: Page, path: string): Promise<{ status: number; body: unknown }> {
  return page.evaluate(async (url) => {
    // Runs in the page; the test project has no DOM types.
    const storage = (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage;
    const raw = storage.getItem('lounge.session.v1');
    const token = raw ? (JSON.parse(raw) as { token: string }).token : '';
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as unknown };
  }, path);
}

describe('Your Thrive Circle', () => {
  it(
    'both members find their circle, one writes in it and the other sees it live; an outsider gets nothing of it',
    async () => {
      // Ada comes from The Lounge through the COMMUNITY menu and opens her circle from the keyboard.
      const ada = await signIn('/lounge', ADA);
      await ada.page.getByRole('link', { name: 'Your Thrive Circle', exact: true }).click();
      await ada.page.getByRole('heading', { name: /Hi Ada/ }).waitFor({ timeout: UI_TIMEOUT_MS });
      await circleLink(ada.page).waitFor({ timeout: UI_TIMEOUT_MS });
      const card = ada.page.locator('.room-card').filter({ hasText: CIRCLE.name });
      expect(await card.innerText()).toContain('2 members');
      const findings: Record<string, unknown> = {};
      const home = await seriousAxeViolations(ada.page);
      if (home.length > 0) findings['circles home'] = home;
      await circleLink(ada.page).focus();
      await ada.page.keyboard.press('Enter');
      await composer(ada.page, CIRCLE.name).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(new URL(ada.page.url()).pathname).toMatch(/^\/thrive-circle\/week-48-circle-[0-9a-f]{8}$/);
      const circlePath = new URL(ada.page.url()).pathname;
      await ada.page.getByRole('heading', { name: CIRCLE.name, level: 1 }).waitFor();
      await ada.page.getByText('Private circle', { exact: true }).waitFor();
      expect(await ada.page.title()).toBe(`${CIRCLE.name} · Lounge`);

      // Ben is on his phone: the list, then the circle on the whole screen.
      const ben = await signIn('/thrive-circle', BEN, 'phone');
      await circleLink(ben.page).waitFor({ timeout: UI_TIMEOUT_MS });
      await ben.page.screenshot({ path: join(SCREENSHOT_DIR, 'thrive-circle-list-phone-light.png') });
      await circleLink(ben.page).click();
      await composer(ben.page, CIRCLE.name).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(new URL(ben.page.url()).pathname).toBe(circlePath);
      // Presence in the circle: each sees the other.
      await ada.page.locator('.online-panel').getByText(BEN.name).waitFor({ timeout: LIVE_TIMEOUT_MS });

      await send(ada.page, 'Hello circle, how did week 48 start for you?');
      await messageWithText(ben.page, CIRCLE.name, 'Hello circle').waitFor({ timeout: LIVE_TIMEOUT_MS });
      await messageWithText(ben.page, CIRCLE.name, 'Hello circle').getByText(ADA.name).waitFor();
      // Ben answers; typing reaches Ada first, then the message.
      await composer(ben.page, CIRCLE.name).pressSequentially('Great', { delay: 30 });
      await ada.page.getByText(`${BEN.name} is typing…`).waitFor({ timeout: LIVE_TIMEOUT_MS });
      await composer(ben.page, CIRCLE.name).fill('');
      await send(ben.page, 'Great, I shipped my first agent');
      await messageWithText(ada.page, CIRCLE.name, 'I shipped my first agent').waitFor({ timeout: LIVE_TIMEOUT_MS });

      // Threads open at the circle's own addresses, and such an address opens the thread after a reload.
      await ada.page.getByRole('button', { name: /^Threads/ }).click();
      await ada.page.getByRole('button', { name: 'New thread' }).click();
      const form = ada.page.getByRole('form', { name: 'New thread' });
      await form.getByLabel('Title').fill('Weekly goals');
      await form.getByLabel('First message').fill('Mine: finish the agents module.');
      await form.getByRole('button', { name: 'Start thread' }).click();
      await ada.page.locator('.thread-panel .msg').first().waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(new URL(ada.page.url()).pathname).toMatch(new RegExp(`^${circlePath}/thread/[0-9a-f-]{36}$`));
      await ada.page.reload();
      await ada.page
        .locator('.thread-panel .msg')
        .filter({ hasText: 'finish the agents module' })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      await ada.page.getByRole('button', { name: 'Close thread' }).click();
      await expect.poll(() => new URL(ada.page.url()).pathname).toBe(circlePath);
      // Opened from its address, the thread closes back to the circle and its online list.
      await ada.page.locator('.online-panel').getByText(BEN.name).waitFor({ timeout: LIVE_TIMEOUT_MS });

      await ada.page.waitForTimeout(300);
      const room = await seriousAxeViolations(ada.page);
      if (room.length > 0) findings['circle room'] = room;
      await ada.page.screenshot({ path: join(SCREENSHOT_DIR, 'thrive-circle-desktop-light.png') });
      await ben.page.screenshot({ path: join(SCREENSHOT_DIR, 'thrive-circle-phone-light.png') });

      // Otto is in no circle: the page says what circles are, and the circle's address shows nothing of it.
      const otto = await signIn('/thrive-circle', OTTO);
      await otto.page
        .getByRole('heading', { name: 'You are not in a Thrive Circle yet' })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      await otto.page.getByText(/made by the platform for each weekly cohort/).waitFor();
      const empty = await seriousAxeViolations(otto.page);
      if (empty.length > 0) findings['no circle'] = empty;
      await otto.page.screenshot({ path: join(SCREENSHOT_DIR, 'thrive-circle-empty-desktop-light.png') });
      await otto.page.goto(`${server.url}${circlePath}`);
      await otto.page
        .getByRole('heading', { name: 'This circle is not open to you' })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await composer(otto.page, CIRCLE.name).count()).toBe(0);
      expect(await otto.page.getByText('Hello circle').count()).toBe(0);
      const noAccess = await seriousAxeViolations(otto.page);
      if (noAccess.length > 0) findings['not your circle'] = noAccess;
      // The server agrees: no circle listed, and the circle's history refused.
      expect(await apiStatus(otto.page, '/api/circles')).toEqual({ status: 200, body: { circles: [] } });
      expect((await apiStatus(otto.page, `/api/channels/${circleRoomId}/messages`)).status).toBe(403);

      expect(findings).toEqual({});
      for (const opened of [ada, ben, otto]) expect(unexpectedErrors(opened)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'offline, the circle list and the circle open from the device, and a message written there is sent on reconnect',
    async () => {
      const ada = await signIn('/thrive-circle', ADA);
      const { page } = ada;
      await circleLink(page).waitFor({ timeout: UI_TIMEOUT_MS });
      // Search knows the circle: a hit in it is named after it and opens it at the message.
      await page.goto(`${server.url}/search?q=shipped`);
      const hit = page.locator('.search-hit').filter({ hasText: 'first agent' });
      await hit.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await hit.locator('.search-hit__meta').innerText()).toContain(CIRCLE.name);
      await hit.getByRole('link', { name: `Open ${CIRCLE.name}` }).click();
      await messageWithText(page, CIRCLE.name, 'first agent').waitFor({ timeout: LIVE_TIMEOUT_MS });
      await messageWithText(page, CIRCLE.name, 'Hello circle').waitFor({ timeout: LIVE_TIMEOUT_MS });
      const circlePath = new URL(page.url()).pathname;
      expect(circlePath).toMatch(/^\/thrive-circle\/week-48-circle-[0-9a-f]{8}$/);
      expect(await offlineReady(page)).toBe(true);

      await page.context().setOffline(true);
      await page.goto(`${server.url}/thrive-circle`, { timeout: UI_TIMEOUT_MS });
      await circleLink(page).waitFor({ timeout: UI_TIMEOUT_MS });
      await circleLink(page).click();
      expect(new URL(page.url()).pathname).toBe(circlePath);
      await messageWithText(page, CIRCLE.name, 'Hello circle').waitFor({ timeout: UI_TIMEOUT_MS });
      await send(page, 'Written on the train');
      await expect.poll(() => pending(page, CIRCLE.name).count(), { timeout: UI_TIMEOUT_MS }).toBe(1);

      await page.context().setOffline(false);
      await messageWithText(page, CIRCLE.name, 'Written on the train').waitFor({ timeout: 30_000 });
      await expect.poll(() => pending(page, CIRCLE.name).count(), { timeout: LIVE_TIMEOUT_MS }).toBe(0);
      expect(unexpectedErrors(ada)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
