import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, seriousAxeViolations, type OpenedPage } from '../support/browser.ts';
import {
  composer,
  LIVE_TIMEOUT_MS,
  messageWithText,
  SCREENSHOT_DIR,
  submitDemoSignIn,
  UI_TIMEOUT_MS,
  unexpectedErrors,
  waitOnline,
} from '../support/chat-ui.ts';
import { startServer, type ServerProcess } from '../support/server-process.ts';

const ROOM = { slug: 'general', name: 'General Chat' };
const THREAD = 'Home lab setups';

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

async function joinRoom(handle: string, name: string): Promise<OpenedPage> {
  const opened = await openPage(browser, { viewport: 'desktop', colorScheme: 'light' });
  await opened.page.goto(`${server.url}/lounge/${ROOM.slug}`);
  await submitDemoSignIn(opened.page, handle, name);
  await composer(opened.page, ROOM.name).waitFor({ timeout: UI_TIMEOUT_MS });
  await waitOnline(opened.page);
  return opened;
}

async function send(page: Page, conversation: string, text: string): Promise<void> {
  const box = composer(page, conversation);
  await box.fill(text);
  await box.press('Enter');
  await messageWithText(page, conversation, text).waitFor({ timeout: LIVE_TIMEOUT_MS });
}

const openThread = (page: Page) =>
  messageWithText(page, ROOM.name, 'Show me your home lab')
    .getByRole('button', { name: /^View thread/ })
    .click({ timeout: LIVE_TIMEOUT_MS });

describe('following a thread', () => {
  it("a member follows another's thread and is told of replies there, until they unfollow it", async () => {
    const ada = await joinRoom('fol_ada', 'Ada Follow');
    const bea = await joinRoom('fol_bea', 'Bea Follow');
    const cy = await joinRoom('fol_cy', 'Cy Follow');
    try {
      // Ada starts a thread from her message.
      await send(ada.page, ROOM.name, 'Show me your home lab');
      const onAda = messageWithText(ada.page, ROOM.name, 'Show me your home lab');
      await onAda.focus();
      await onAda.getByRole('toolbar').getByRole('button', { name: 'Start a thread' }).click();
      const form = ada.page.getByRole('form', { name: 'Start a thread from this message' });
      await form.getByLabel('Thread title').fill(THREAD);
      await form.getByLabel('First message').fill('Racks, NUCs, anything goes.');
      await form.getByRole('button', { name: 'Start thread' }).click();
      const adaPanel = ada.page.locator('.thread-panel');
      // Her own thread: she follows it.
      await adaPanel.getByRole('button', { name: 'Unfollow thread' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
      await adaPanel.getByRole('button', { name: 'Close thread' }).click();

      // Bea opens it: she does not follow it yet; she follows it from the keyboard.
      await openThread(bea.page);
      const beaPanel = bea.page.locator('.thread-panel');
      const follow = beaPanel.getByRole('button', { name: 'Follow thread' });
      await follow.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await beaPanel.locator('.thread-follow__state').innerText()).toBe('Not following');
      await follow.focus();
      await bea.page.keyboard.press('Enter');
      const unfollow = beaPanel.getByRole('button', { name: 'Unfollow thread' });
      await unfollow.waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await beaPanel.locator('.thread-follow__state').innerText()).toBe('Following: new replies notify you');
      // Still following once the server has answered (the outbox emptied, the inbox says it).
      await expect.poll(() => unfollow.getAttribute('aria-busy'), { timeout: LIVE_TIMEOUT_MS }).toBeNull();
      expect(await unfollow.isVisible()).toBe(true);
      expect(await seriousAxeViolations(bea.page)).toEqual([]);
      await bea.page.screenshot({ path: join(SCREENSHOT_DIR, 'thread-follow-desktop-light.png') });
      await beaPanel.getByRole('button', { name: 'Close thread' }).click();

      // Cy replies: Bea's bell shows it, as a thread she follows.
      await openThread(cy.page);
      await send(cy.page, THREAD, 'A Raspberry Pi cluster under my desk.');
      const bell = bea.page.getByRole('link', { name: /^Notifications/ });
      await expect
        .poll(() => bell.getAttribute('aria-label'), { timeout: LIVE_TIMEOUT_MS })
        .toBe('Notifications, 1 unread');
      await bell.click();
      const row = bea.page.getByRole('list', { name: 'Notifications' }).getByRole('listitem').first();
      expect(await row.innerText({ timeout: UI_TIMEOUT_MS })).toMatch(
        /Cy Follow replied to a thread you follow in General Chat/,
      );
      // Opening it reads it, in the thread; there she unfollows.
      await row.getByRole('link').click();
      await messageWithText(bea.page, THREAD, 'A Raspberry Pi cluster').waitFor({ timeout: UI_TIMEOUT_MS });
      await expect.poll(() => bell.getAttribute('aria-label'), { timeout: LIVE_TIMEOUT_MS }).toBe('Notifications');
      await bea.page.locator('.thread-panel').getByRole('button', { name: 'Unfollow thread' }).click();
      await bea.page
        .locator('.thread-panel')
        .getByRole('button', { name: 'Follow thread' })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      await expect
        .poll(() => bea.page.locator('.thread-panel .thread-follow button').getAttribute('aria-busy'), {
          timeout: LIVE_TIMEOUT_MS,
        })
        .toBeNull();
      await bea.page.getByRole('button', { name: 'Close thread' }).click();

      // Another reply: Ada, whose thread it is, is told; Bea is not.
      await send(cy.page, THREAD, 'Plus an old ThinkPad as the router.');
      const adaBell = ada.page.getByRole('link', { name: /^Notifications/ });
      await expect
        .poll(() => adaBell.getAttribute('aria-label'), { timeout: LIVE_TIMEOUT_MS })
        .toBe('Notifications, 1 unread');
      await adaBell.click();
      const adaRow = ada.page.getByRole('list', { name: 'Notifications' }).getByRole('listitem').first();
      await expect
        .poll(() => adaRow.innerText({ timeout: UI_TIMEOUT_MS }), { timeout: LIVE_TIMEOUT_MS })
        .toMatch(/Cy Follow replied to your thread in General Chat\s*2 replies/);
      // Bea's room shows the reply's count live; her bell stays quiet.
      const chip = messageWithText(bea.page, ROOM.name, 'Show me your home lab').locator('.msg__thread');
      await expect.poll(() => chip.getAttribute('data-replies'), { timeout: LIVE_TIMEOUT_MS }).toBe('3');
      await bea.page.waitForTimeout(1500);
      expect(await bell.getAttribute('aria-label')).toBe('Notifications');
      for (const opened of [ada, bea, cy]) expect(unexpectedErrors(opened)).toEqual([]);
    } finally {
      await ada.close();
      await bea.close();
      await cy.close();
    }
  });
});
