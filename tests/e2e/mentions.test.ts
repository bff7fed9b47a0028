import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  animationsSettled,
  launchBrowser,
  openPage,
  seriousAxeViolations,
  type OpenedPage,
} from '../support/browser.ts';
import {
  composer,
  confirmed,
  messageLog,
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

const GENERAL = { slug: 'general', name: 'General Chat' };
const ADA = { handle: 'ada_m', name: 'Ada Lovelace' };
const GRACE = { handle: 'grace_m', name: 'Grace Hopper' };
const GREG = { handle: 'greg_m', name: 'Greg Grumpy' };

let server: ServerProcess;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await mkdir(SCREENSHOT_DIR, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function joinGeneral(member: { handle: string; name: string }): Promise<OpenedPage> {
  const opened = await openPage(browser, { viewport: 'desktop', colorScheme: 'light' });
  await opened.page.goto(`${server.url}/lounge/${GENERAL.slug}`);
  await submitDemoSignIn(opened.page, member.handle, member.name);
  await composer(opened.page, GENERAL).waitFor({ timeout: UI_TIMEOUT_MS });
  await waitOnline(opened.page);
  return opened;
}

/** The signed-in member's session as the app keeps it. */
const sessionOf = (page: Page) =>
  page.evaluate(() => {
    const storage = (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage;
    return JSON.parse(storage.getItem('lounge.session.v1') ?? 'null') as { token: string; user: { id: string } };
  });

const suggestionList = (page: Page) => page.getByRole('listbox', { name: 'Members to mention' });
const suggestionNames = async (page: Page) =>
  (await suggestionList(page).getByRole('option').locator('.composer__mention-name').allInnerTexts()).map((t) =>
    t.trim(),
  );

describe('mentions', () => {
  it('suggests members after @, inserts the chosen handle, and shows resolved mentions as chips, highlighted for the member mentioned', async () => {
    const grace = await joinGeneral(GRACE);
    const greg = await joinGeneral(GREG);
    const ada = await joinGeneral(ADA);
    try {
      const page = ada.page;
      const box = composer(page, GENERAL);
      // Both are here: presence tells Ada's device their names and handles.
      for (const name of [GRACE.name, GREG.name]) {
        await page.locator('.online-panel').getByText(name).waitFor({ timeout: LIVE_TIMEOUT_MS });
      }

      // Typing @gr opens the list, members here first: Grace and Greg, by handle.
      await box.click();
      await box.pressSequentially('Hi @gr', { delay: 20 });
      await suggestionList(page).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await suggestionNames(page)).toEqual([GRACE.name, GREG.name]);
      expect(await box.getAttribute('aria-expanded')).toBe('true');
      const listId = await suggestionList(page).getAttribute('id');
      expect(await box.getAttribute('aria-controls')).toBe(listId);
      const options = suggestionList(page).getByRole('option');
      expect(await box.getAttribute('aria-activedescendant')).toBe(await options.nth(0).getAttribute('id'));
      expect(await options.nth(0).getAttribute('aria-selected')).toBe('true');

      // The open list passes an accessibility scan.
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'mentions-suggestions-desktop-light.png') });

      // Keyboard: down to Greg, up back to Grace, Enter inserts her handle (and does not send).
      await box.press('ArrowDown');
      expect(await box.getAttribute('aria-activedescendant')).toBe(await options.nth(1).getAttribute('id'));
      expect(await options.nth(1).getAttribute('aria-selected')).toBe('true');
      await box.press('ArrowUp');
      expect(await box.getAttribute('aria-activedescendant')).toBe(await options.nth(0).getAttribute('id'));
      await box.press('Enter');
      expect(await box.inputValue()).toBe(`Hi @${GRACE.handle} `);
      expect(await box.getAttribute('aria-expanded')).toBe('false');
      expect(await suggestionList(page).isVisible()).toBe(false);
      expect(await pending(page, GENERAL).count()).toBe(0);

      // An unknown handle suggests nobody; Enter then sends.
      await box.pressSequentially('and @nobody, look', { delay: 10 });
      expect(await box.getAttribute('aria-expanded')).toBe('false');
      await box.press('Enter');
      const body = `Hi @${GRACE.handle} and @nobody, look`;
      await expect.poll(() => box.inputValue(), { timeout: UI_TIMEOUT_MS }).toBe('');

      // Grace sees the message with a chip for her and highlighted; @nobody stays text.
      const onGrace = messageWithText(grace.page, GENERAL, 'and @nobody, look');
      await onGrace.waitFor({ timeout: LIVE_TIMEOUT_MS });
      const chip = onGrace.locator('.msg__body .mention');
      await chip.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await chip.allInnerTexts()).toEqual([`@${GRACE.handle}`]);
      expect(await chip.getAttribute('title')).toBe(GRACE.name);
      expect((await onGrace.locator('.msg__body').innerText()).trim()).toBe(body);
      await expect
        .poll(() => onGrace.evaluate((el) => el.classList.contains('msg--mentions-me')), { timeout: LIVE_TIMEOUT_MS })
        .toBe(true);
      await grace.page.screenshot({ path: join(SCREENSHOT_DIR, 'mentions-highlight-desktop-light.png') });
      // The chip and the highlighted row keep their contrast, light and dark.
      expect(await seriousAxeViolations(grace.page)).toEqual([]);
      await grace.page.emulateMedia({ colorScheme: 'dark' });
      await animationsSettled(grace.page);
      expect(await seriousAxeViolations(grace.page)).toEqual([]);
      await grace.page.screenshot({ path: join(SCREENSHOT_DIR, 'mentions-highlight-desktop-dark.png') });
      // On Ada's screen the chip is there too, but the message does not mention her.
      const onAda = messageWithText(page, GENERAL, 'and @nobody, look');
      await onAda.locator('.mention').waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await onAda.evaluate((el) => el.classList.contains('msg--mentions-me'))).toBe(false);
      // A message that does not mention Grace is not highlighted for her.
      expect(await confirmed(grace.page, GENERAL).locator('.mention').count()).toBe(1);

      // Escape closes the list; Enter then sends what was typed, unresolved.
      await box.pressSequentially('thanks @gr', { delay: 20 });
      await suggestionList(page).waitFor({ timeout: UI_TIMEOUT_MS });
      await box.press('Escape');
      expect(await box.getAttribute('aria-expanded')).toBe('false');
      expect(await suggestionList(page).isVisible()).toBe(false);
      await box.press('Enter');
      const plain = messageWithText(grace.page, GENERAL, 'thanks @gr');
      await plain.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await plain.locator('.mention').count()).toBe(0);
      expect(await plain.evaluate((el) => el.classList.contains('msg--mentions-me'))).toBe(false);

      // A click inserts too (and keeps focus in the composer).
      await box.pressSequentially('@gre', { delay: 20 });
      await suggestionList(page)
        .getByRole('option', { name: new RegExp(GREG.name) })
        .click();
      expect(await box.inputValue()).toBe(`@${GREG.handle} `);
      expect(await page.evaluate<boolean>('document.activeElement?.getAttribute("role") === "combobox"')).toBe(true);
      await box.fill('');

      // A member Ada blocks is never suggested, and what he writes folds on her screen, saying why.
      const gregBox = composer(greg.page, GENERAL);
      await gregBox.fill('grumpy words nobody asked for');
      await gregBox.press('Enter');
      const fromGreg = messageWithText(page, GENERAL, 'grumpy words nobody asked for');
      await fromGreg.waitFor({ timeout: LIVE_TIMEOUT_MS });
      const adaSession = await sessionOf(page);
      const gregSession = await sessionOf(greg.page);
      const blocked = await fetch(`${server.url}/api/me/blocks/${gregSession.user.id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${adaSession.token}` },
      });
      expect(blocked.status).toBeLessThan(300);
      await expect
        .poll(
          async () => {
            await box.fill('');
            await box.pressSequentially('@gr', { delay: 10 });
            return suggestionNames(page);
          },
          { timeout: LIVE_TIMEOUT_MS },
        )
        .toEqual([GRACE.name]);
      await box.fill('');
      const folded = messageLog(page, GENERAL).getByText('Message from a member you blocked.');
      await folded.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await messageLog(page, GENERAL).getByText('grumpy words nobody asked for').count()).toBe(0);

      // Offline, the members this device has met are still suggested (the member cache).
      await page.context().setOffline(true);
      await expect
        .poll(() => page.locator('.connection').getAttribute('data-state'), { timeout: UI_TIMEOUT_MS })
        .toBe('offline');
      await box.pressSequentially('@gr', { delay: 20 });
      await suggestionList(page).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await suggestionNames(page)).toEqual([GRACE.name]);
      await box.press('Tab');
      expect(await box.inputValue()).toBe(`@${GRACE.handle} `);
      await box.fill('');
      await page.context().setOffline(false);
      await waitOnline(page);

      // At phone width the list fits the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      await box.pressSequentially('@gr', { delay: 20 });
      await suggestionList(page).waitFor({ timeout: UI_TIMEOUT_MS });
      const rect = await suggestionList(page).boundingBox();
      expect(rect).not.toBeNull();
      expect(rect!.x).toBeGreaterThanOrEqual(0);
      expect(rect!.x + rect!.width).toBeLessThanOrEqual(390);
      expect(rect!.y).toBeGreaterThanOrEqual(0);
      expect(
        await page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth'),
      ).toBe(true);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'mentions-suggestions-phone-light.png') });
      await box.press('Escape');

      for (const opened of [ada, grace, greg]) expect(unexpectedErrors(opened)).toEqual([]);
    } finally {
      await ada.close();
      await greg.close();
      await grace.close();
    }
  });
});

describe('notifications', () => {
  it('a member mentioned while elsewhere sees it on the bell and in the tab title; opening it shows the message and clears both', async () => {
    const grace = await joinGeneral({ handle: 'grace_n', name: 'Grace Notified' });
    const ada = await joinGeneral({ handle: 'ada_n', name: 'Ada Notifying' });
    try {
      const page = grace.page;
      const bell = page.getByRole('link', { name: /^Notifications/ });
      // Grace is in her direct messages, not in General Chat, when Ada mentions her.
      await page.getByRole('link', { name: /^Messages/ }).click();
      await page.getByRole('heading', { name: 'Messages' }).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await bell.getAttribute('aria-label')).toBe('Notifications');

      const box = composer(ada.page, GENERAL);
      await box.fill('@grace_n could you look at my pull request?');
      await box.press('Enter');
      await confirmed(ada.page, GENERAL).filter({ hasText: 'could you look at my pull request' }).waitFor({
        timeout: LIVE_TIMEOUT_MS,
      });

      // Live: the bell counts it, and so does the tab title.
      await expect
        .poll(() => bell.getAttribute('aria-label'), { timeout: LIVE_TIMEOUT_MS })
        .toBe('Notifications, 1 unread');
      expect(await bell.locator('.header-notifications__badge').innerText()).toBe('1');
      expect(await page.title()).toMatch(/^\(1\) /);

      // The list says who and where, unread; the page passes an accessibility scan.
      await bell.click();
      await page.getByRole('heading', { name: 'Notifications' }).waitFor({ timeout: UI_TIMEOUT_MS });
      const item = page.getByRole('list', { name: 'Notifications' }).getByRole('listitem').first();
      expect(await item.innerText()).toMatch(/Ada Notifying mentioned you in General Chat\s*just now/);
      expect(await item.getAttribute('class')).toContain('notification--unread');
      expect(await seriousAxeViolations(page)).toEqual([]);
      await animationsSettled(page);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'notifications-desktop-light.png') });

      // Opening it shows the message in its room, and nothing waits any more.
      await item.getByRole('link').click();
      await expect.poll(() => new URL(page.url()).pathname).toBe(`/lounge/${GENERAL.slug}`);
      await messageWithText(page, GENERAL, 'could you look at my pull request').waitFor({ timeout: UI_TIMEOUT_MS });
      await expect.poll(() => bell.getAttribute('aria-label'), { timeout: LIVE_TIMEOUT_MS }).toBe('Notifications');
      expect(await page.title()).not.toMatch(/^\(/);

      // Read for good: a reload (rebuilt from the server) still shows it read.
      await page.goto(`${server.url}/notifications`);
      const again = page.getByRole('list', { name: 'Notifications' }).getByRole('listitem').first();
      await again.waitFor({ timeout: UI_TIMEOUT_MS });
      await waitOnline(page);
      expect(await again.getAttribute('class')).not.toContain('notification--unread');
      expect(await bell.getAttribute('aria-label')).toBe('Notifications');

      // Two more mentions while she reads the list: "Mark all as read" clears them at once.
      for (const text of ['@grace_n first question', '@grace_n second question']) {
        await box.fill(text);
        await box.press('Enter');
      }
      await expect
        .poll(() => bell.getAttribute('aria-label'), { timeout: LIVE_TIMEOUT_MS })
        .toBe('Notifications, 2 unread');
      await page.getByRole('button', { name: 'Mark all as read' }).click();
      expect(await bell.getAttribute('aria-label')).toBe('Notifications');
      await expect.poll(() => page.locator('.notification--unread').count(), { timeout: LIVE_TIMEOUT_MS }).toBe(0);

      for (const opened of [ada, grace]) expect(unexpectedErrors(opened)).toEqual([]);
    } finally {
      await ada.close();
      await grace.close();
    }
  });
});
