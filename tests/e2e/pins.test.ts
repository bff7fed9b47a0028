import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import {
  animationsSettled,
  launchBrowser,
  openPage,
  seriousAxeViolations,
  type OpenedPage,
  type ViewportName,
} from '../support/browser.ts';
import { fillChannelHistory } from '../support/bulk-history.ts';
import {
  offlineReady,
  composer,
  messageLog,
  messageWithText,
  submitDemoSignIn,
  UI_TIMEOUT_MS,
  unexpectedErrors,
  waitOnline,
  LIVE_TIMEOUT_MS,
  SCREENSHOT_DIR,
} from '../support/chat-ui.ts';
import { solidPng } from '../support/png.ts';
import type { ServerProcess } from '../support/server-process.ts';
import { startPreparedServer } from '../support/prepared-server.ts';

const GENERAL = { slug: 'general', name: 'General Chat' };
/** A trusted member (≥ 50 messages, ≥ 14 days: set in the database before the second start). */
const TRUSTED = { handle: 'pin_tara', name: 'Tara Trusted' };
/** Older history: the head segment is far past the pinned old message, which the log does not load at first. */
const HISTORY = 600;
const OLD_PINNED_SEQ = 5;
const OLD_PINNED_BODY = `history message ${OLD_PINNED_SEQ}`;

let server: ServerProcess;
let browser: Browser;
let dataDir: string;
let oldPinnedId: string;

beforeAll(async () => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'lounge-e2e-pins-'));
  // First start: Tara's account exists. With the server stopped, the database ages her account and counts
  // her messages (trust is computed from those), fills General Chat with older history and pins an old
  // message in it the way the intent pipeline would (message row and its change), then the server starts
  // again over it.
  ({ server, prepared: oldPinnedId } = await startPreparedServer({ dataDir }, [TRUSTED], async (db, [taraId]) => {
    await db.query(`UPDATE users SET joined_at = now() - interval '30 days', messages_sent = 60 WHERE id = $1`, [
      taraId,
    ]);
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM rooms WHERE slug = $1`, [GENERAL.slug]);
    const general = rows[0]!.id;
    await fillChannelHistory(db as unknown as Database, general, taraId!, HISTORY);
    const pinned = await db.query<{ id: string }>(
      `UPDATE messages SET is_pinned = true WHERE channel_id = $1 AND seq = $2 RETURNING id`,
      [general, OLD_PINNED_SEQ],
    );
    const id = pinned.rows[0]!.id;
    await db.query(
      `UPDATE channel_changes SET payload = jsonb_set(payload, '{message,pinned}', 'true') WHERE message_id = $1`,
      [id],
    );
    return id;
  }));
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function joinRoom(
  handle: string,
  displayName: string,
  viewport: ViewportName = 'desktop',
  options: { acceptDownloads?: boolean } = {},
): Promise<OpenedPage> {
  const opened = await openPage(browser, { viewport, ...options });
  const { page } = opened;
  await page.goto(`${server.url}/lounge/${GENERAL.slug}`);
  await submitDemoSignIn(page, handle, displayName);
  await composer(page, GENERAL.name).waitFor({ timeout: UI_TIMEOUT_MS });
  await waitOnline(page);
  return opened;
}

async function send(page: Page, text: string): Promise<void> {
  const box = composer(page, GENERAL.name);
  await box.fill(text);
  await box.press('Enter');
  await messageWithText(page, GENERAL.name, text).waitFor({ timeout: LIVE_TIMEOUT_MS });
}

/** A message's "More actions" item (its name starts with the label; a refused one carries its reason too). */
async function menuItem(message: Locator, label: string): Promise<Locator> {
  await message.focus();
  await message.getByRole('button', { name: 'More actions' }).click();
  return message.getByRole('list', { name: 'More actions' }).getByRole('button', { name: new RegExp(`^${label}`) });
}

const pinsButton = (page: Page) => page.getByRole('button', { name: /^Pinned messages/ });
const pinsPanel = (page: Page) => page.getByRole('complementary', { name: 'Pinned messages' });
const pinnedItems = (page: Page) => pinsPanel(page).getByRole('listitem');
const pinnedIds = (page: Page) =>
  pinsPanel(page)
    .locator('li[data-message-id]')
    .evaluateAll((els) => els.map((el) => el.getAttribute('data-message-id')));
const rowById = (page: Page, id: string) =>
  messageLog(page, GENERAL.name).locator(`article.msg[data-message-id="${id}"]`);

async function openPins(page: Page): Promise<void> {
  if ((await pinsPanel(page).count()) === 0) await pinsButton(page).click();
  await pinsPanel(page).waitFor({ timeout: UI_TIMEOUT_MS });
}

describe('pinned messages', () => {
  it('a trusted member pins; the other member sees the marker and the Pinned panel live and jumps; unpinning clears both; a new member cannot pin', async () => {
    const tara = await joinRoom(TRUSTED.handle, TRUSTED.name);
    const bob = await joinRoom('pin_bob', 'Bob Newcomer');
    try {
      await send(tara.page, 'Please read the room guide before posting');
      await send(tara.page, 'Second announcement of the day');
      const onBob = messageWithText(bob.page, GENERAL.name, 'Please read the room guide');
      await onBob.waitFor({ timeout: LIVE_TIMEOUT_MS });
      const messageId = (await onBob.getAttribute('data-message-id'))!;

      // Bob is new: the menu shows "Pin message" greyed, with the reason.
      const refused = await menuItem(onBob, 'Pin message');
      await expect
        .poll(() => refused.innerText(), { timeout: UI_TIMEOUT_MS })
        .toContain('Only trusted members and moderators can pin messages.');
      expect(await refused.isDisabled()).toBe(true);
      await bob.page.keyboard.press('Escape');

      // Before anything is pinned now, Bob's panel already lists the old pin far back in history (not loaded).
      await openPins(bob.page);
      await expect.poll(() => pinnedIds(bob.page), { timeout: LIVE_TIMEOUT_MS }).toEqual([oldPinnedId]);
      await pinsPanel(bob.page).getByText(OLD_PINNED_BODY, { exact: true }).waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await rowById(bob.page, oldPinnedId).count()).toBe(0);

      // Tara (trusted) pins the message from its menu.
      const onTara = messageWithText(tara.page, GENERAL.name, 'Please read the room guide');
      const pin = await menuItem(onTara, 'Pin message');
      await expect.poll(() => pin.isEnabled(), { timeout: UI_TIMEOUT_MS }).toBe(true);
      await pin.click();
      await tara.page.getByText('Message pinned.').waitFor({ timeout: LIVE_TIMEOUT_MS });
      await onTara.locator('.msg__pinned').waitFor({ timeout: LIVE_TIMEOUT_MS });

      // Live on Bob's screen: the marker in the row, and the panel (newest pin first) with author and time.
      await onBob.locator('.msg__pinned', { hasText: 'Pinned' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect.poll(() => pinnedIds(bob.page), { timeout: LIVE_TIMEOUT_MS }).toEqual([messageId, oldPinnedId]);
      const first = pinnedItems(bob.page).first();
      expect(await first.innerText()).toContain('Tara Trusted');
      expect(await first.innerText()).toContain('Please read the room guide before posting');
      expect(await first.locator('time').count()).toBe(1);
      expect(await pinsButton(bob.page).locator('.room-header__count').innerText()).toBe('2');

      // Accessible, and screenshots at desktop and phone width.
      expect(await seriousAxeViolations(bob.page)).toEqual([]);
      await bob.page.mouse.move(0, 0);
      await bob.page.screenshot({ path: join(SCREENSHOT_DIR, 'pins-panel-desktop-light.png') });
      await bob.page.emulateMedia({ colorScheme: 'dark' });
      await animationsSettled(bob.page);
      await bob.page.screenshot({ path: join(SCREENSHOT_DIR, 'pins-panel-desktop-dark.png') });
      expect(await seriousAxeViolations(bob.page)).toEqual([]);
      await bob.page.emulateMedia({ colorScheme: 'light' });

      // Jump to the old pinned message: history is paged in and the message is focused.
      await pinnedItems(bob.page).nth(1).getByRole('button', { name: 'Jump' }).click();
      const oldRow = rowById(bob.page, oldPinnedId);
      await expect.poll(() => oldRow.evaluate((el) => el.matches(':focus')), { timeout: 30_000 }).toBe(true);
      expect(await oldRow.innerText()).toContain(OLD_PINNED_BODY);
      await oldRow.locator('.msg__pinned').waitFor();

      // Phone width: the panel takes the screen; the keyboard opens it and jumps; the jump closes it.
      await bob.page.setViewportSize({ width: 390, height: 844 });
      await pinsPanel(bob.page).waitFor();
      expect(
        await bob.page.evaluate<boolean>(
          'document.documentElement.scrollWidth <= document.documentElement.clientWidth',
        ),
      ).toBe(true);
      expect((await pinsPanel(bob.page).boundingBox())?.width).toBeGreaterThanOrEqual(380);
      await bob.page.screenshot({ path: join(SCREENSHOT_DIR, 'pins-panel-phone-light.png') });
      expect(await seriousAxeViolations(bob.page)).toEqual([]);
      await pinsPanel(bob.page).getByRole('button', { name: 'Close pinned messages' }).press('Enter');
      await expect.poll(() => pinsPanel(bob.page).count()).toBe(0);
      await expect.poll(() => pinsButton(bob.page).evaluate((el) => el.matches(':focus'))).toBe(true);
      await bob.page.keyboard.press('Enter');
      await pinsPanel(bob.page).waitFor();
      await pinnedItems(bob.page).first().getByRole('button', { name: 'Jump' }).press('Enter');
      await expect.poll(() => pinsPanel(bob.page).count()).toBe(0);
      await expect
        .poll(() => rowById(bob.page, messageId).evaluate((el) => el.matches(':focus')), { timeout: LIVE_TIMEOUT_MS })
        .toBe(true);
      // The room on a phone: the header's Pinned button (icon and count) and the marker in the row.
      await bob.page.screenshot({ path: join(SCREENSHOT_DIR, 'pins-room-phone-light.png') });
      await bob.page.setViewportSize({ width: 1280, height: 800 });
      await openPins(bob.page);

      // Tara unpins it from the menu: gone from the rows and the panels on both screens.
      await openPins(tara.page);
      await expect.poll(() => pinnedIds(tara.page), { timeout: LIVE_TIMEOUT_MS }).toEqual([messageId, oldPinnedId]);
      const unpin = await menuItem(onTara, 'Unpin message');
      await unpin.click();
      for (const { page } of [tara, bob]) {
        await expect.poll(() => pinnedIds(page), { timeout: LIVE_TIMEOUT_MS }).toEqual([oldPinnedId]);
        await expect
          .poll(() => rowById(page, messageId).locator('.msg__pinned').count(), { timeout: LIVE_TIMEOUT_MS })
          .toBe(0);
      }

      // Offline, Tara pins another message: shown at once, queued, and sent when she is back.
      const context = tara.page.context();
      // The service worker has cached the app shell before the network goes away.
      expect(await offlineReady(tara.page)).toBe(true);
      await context.setOffline(true);
      await expect
        .poll(() => tara.page.locator('.connection').getAttribute('data-state'), { timeout: UI_TIMEOUT_MS })
        .toBe('offline');
      const second = messageWithText(tara.page, GENERAL.name, 'Second announcement');
      const secondId = (await second.getAttribute('data-message-id'))!;
      await (await menuItem(second, 'Pin message')).click();
      await second.locator('.msg__pinned').waitFor({ timeout: UI_TIMEOUT_MS });
      await expect.poll(() => pinnedIds(tara.page)).toEqual([secondId, oldPinnedId]);
      await pinsPanel(tara.page).getByText('Waiting to sync').waitFor();
      await bob.page.waitForTimeout(500);
      expect(await pinnedIds(bob.page)).toEqual([oldPinnedId]);
      // Reloaded offline: the queued pin is still listed, and so is the old pin (never in the log on this
      // device): its words come from the device's SQL replica, where the panel's earlier look-up put them
      // — or, when the local database does not hold them (yet), the entry says so instead of vanishing.
      await tara.page.reload({ timeout: UI_TIMEOUT_MS });
      await composer(tara.page, GENERAL.name).waitFor({ timeout: UI_TIMEOUT_MS });
      await openPins(tara.page);
      await expect.poll(() => pinnedIds(tara.page), { timeout: UI_TIMEOUT_MS }).toEqual([secondId, oldPinnedId]);
      const oldWords = pinsPanel(tara.page).getByText(OLD_PINNED_BODY, { exact: true });
      const notHere = pinsPanel(tara.page).getByText('This message is not on this device yet.');
      // The local database opens in a worker after the room is shown: allow for a slow start.
      await oldWords.or(notHere).first().waitFor({ timeout: 45_000 });
      if (!(await oldWords.isVisible())) process.stdout.write('[pins] old pin not in the local database offline\n');
      await pinsPanel(tara.page).getByText('Waiting to sync').waitFor();
      await context.setOffline(false);
      await waitOnline(tara.page);
      // Back online, the old pin's words are read from the server if the device did not have them.
      await oldWords.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect.poll(() => pinnedIds(bob.page), { timeout: LIVE_TIMEOUT_MS }).toEqual([secondId, oldPinnedId]);
      await rowById(bob.page, secondId).locator('.msg__pinned').waitFor({ timeout: LIVE_TIMEOUT_MS });

      // Unpinning from the panel: the empty state on both once nothing is pinned.
      await pinnedItems(tara.page).first().getByRole('button', { name: 'Unpin' }).click();
      await expect.poll(() => pinnedIds(tara.page), { timeout: LIVE_TIMEOUT_MS }).toEqual([oldPinnedId]);
      await pinnedItems(tara.page).first().getByRole('button', { name: 'Unpin' }).click();
      for (const { page } of [tara, bob]) {
        await pinsPanel(page).getByText('No pinned messages yet').waitFor({ timeout: LIVE_TIMEOUT_MS });
        expect(await pinsButton(page).locator('.room-header__count').count()).toBe(0);
      }
      await bob.page.screenshot({ path: join(SCREENSHOT_DIR, 'pins-panel-empty-desktop-light.png') });
      expect(await seriousAxeViolations(bob.page)).toEqual([]);

      expect(unexpectedErrors(tara)).toEqual([]);
      expect(unexpectedErrors(bob)).toEqual([]);
    } finally {
      await tara.close();
      await bob.close();
    }
  });

  it('a pinned message’s files show in the Pinned panel: the image as a thumbnail, the PDF and the log as downloads', async () => {
    const tara = await joinRoom(TRUSTED.handle, TRUSTED.name);
    const bob = await joinRoom('pin_bea', 'Bea Reader', 'desktop', { acceptDownloads: true });
    const guide = Buffer.from('%PDF-1.4\n%\u00e2\u00e3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
    const log = 'ERROR worker 3: connection reset\nINFO retrying in 5s\n';
    try {
      // Tara shares the workshop's files (a trusted member may) and pins the message.
      const chooser = tara.page.waitForEvent('filechooser');
      await tara.page.getByRole('button', { name: 'Attach files' }).click();
      await (
        await chooser
      ).setFiles([
        { name: 'setup.png', mimeType: 'image/png', buffer: solidPng(320, 200, [40, 120, 200]) },
        { name: 'guide.pdf', mimeType: 'application/pdf', buffer: guide },
        { name: 'server.log', mimeType: 'text/plain', buffer: Buffer.from(log) },
      ]);
      const chips = tara.page.getByRole('list', { name: 'Files to send' }).getByRole('listitem');
      await expect
        .poll(() => chips.evaluateAll((items) => items.map((i) => i.getAttribute('data-state'))), {
          timeout: UI_TIMEOUT_MS,
        })
        .toEqual(['ready', 'ready', 'ready']);
      await send(tara.page, 'Workshop files: setup, guide and the server log');
      const onTara = messageWithText(tara.page, GENERAL.name, 'Workshop files');
      const messageId = (await onTara.getAttribute('data-message-id'))!;
      await (await menuItem(onTara, 'Pin message')).click();
      await tara.page.getByText('Message pinned.').waitFor({ timeout: LIVE_TIMEOUT_MS });

      // Bea opens Pinned: the message's words and its three files, not only its text.
      await openPins(bob.page);
      const item = pinsPanel(bob.page).locator(`li[data-message-id="${messageId}"]`);
      await item.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await item.innerText()).toContain('Workshop files: setup, guide and the server log');
      const files = item.getByRole('list', { name: '3 attached files' });
      await files.waitFor({ timeout: UI_TIMEOUT_MS });
      // The image as a thumbnail that fits the panel, its bytes drawn.
      const thumb = files.getByRole('link', { name: 'Open image setup.png full size' });
      const box = (await thumb.boundingBox())!;
      expect(box.width).toBeLessThanOrEqual(200);
      expect(Math.round((box.width / box.height) * 10) / 10).toBe(1.6);
      await expect
        .poll(() => thumb.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), {
          timeout: UI_TIMEOUT_MS,
        })
        .toBe(320);
      // The PDF and the log by name and size, each downloading its file.
      const pdf = files.getByRole('link', { name: /guide\.pdf/ });
      expect(await pdf.innerText()).toContain(`PDF · ${guide.length} bytes`);
      const logCard = files.getByRole('link', { name: /server\.log/ });
      expect(await logCard.innerText()).toContain(`Text · ${Buffer.byteLength(log)} bytes`);
      const download = bob.page.waitForEvent('download');
      await logCard.click();
      const saved = await download;
      expect(saved.suggestedFilename()).toBe('server.log');
      expect(await readFile((await saved.path())!, 'utf8')).toBe(log);

      expect(await seriousAxeViolations(bob.page)).toEqual([]);
      await bob.page.mouse.move(0, 0);
      await bob.page.screenshot({ path: join(SCREENSHOT_DIR, 'pins-panel-files-desktop-light.png') });
      await bob.page.setViewportSize({ width: 390, height: 844 });
      await item.scrollIntoViewIfNeeded();
      expect(
        await bob.page.evaluate<boolean>(
          'document.documentElement.scrollWidth <= document.documentElement.clientWidth',
        ),
      ).toBe(true);
      await bob.page.screenshot({ path: join(SCREENSHOT_DIR, 'pins-panel-files-phone-light.png') });

      expect(unexpectedErrors(tara)).toEqual([]);
      expect(unexpectedErrors(bob)).toEqual([]);
    } finally {
      await tara.close();
      await bob.close();
    }
  });
});
