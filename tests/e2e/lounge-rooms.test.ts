import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, seriousAxeViolations } from '../support/browser.ts';
import {
  composer,
  LIVE_TIMEOUT_MS,
  SCREENSHOT_DIR,
  submitDemoSignIn,
  UI_TIMEOUT_MS,
  unexpectedErrors,
} from '../support/chat-ui.ts';
import { startPreparedServer } from '../support/prepared-server.ts';
import type { ServerProcess } from '../support/server-process.ts';

/** A global admin (set in the database between two starts: the host platform's admin flag). */
const ADMIN = { handle: 'ana_admin', name: 'Ana Admin' };
const MEMBER = { handle: 'max_member', name: 'Max Member' };

let server: ServerProcess;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'lounge-e2e-rooms-'));
  ({ server } = await startPreparedServer({ dataDir }, [ADMIN], async (db, [anaId]) => {
    await db.query('UPDATE users SET is_global_admin = true WHERE id = $1', [anaId]);
  }));
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Lounge rooms' });
const roomLink = (page: Page, slug: string) => sidebar(page).locator(`a[data-room-slug="${slug}"]`);

describe('Lounge rooms made by admins', () => {
  it('an admin creates a help room from the sidebar and lands in it; members see it, and an archived room moves to the Archived group', async () => {
    const ana = await openPage(browser);
    const max = await openPage(browser);
    try {
      await max.page.goto(`${server.url}/lounge/general`);
      await submitDemoSignIn(max.page, MEMBER.handle, MEMBER.name);
      await composer(max.page, 'General Chat').waitFor({ timeout: UI_TIMEOUT_MS });
      // Members do not get to make rooms.
      expect(await max.page.getByRole('button', { name: 'New room' }).count()).toBe(0);

      await ana.page.goto(`${server.url}/lounge`);
      await submitDemoSignIn(ana.page, ADMIN.handle, ADMIN.name);
      await ana.page.getByRole('button', { name: 'New room' }).click();
      const dialog = ana.page.getByRole('dialog', { name: 'New room in The Lounge' });
      await dialog.waitFor({ timeout: UI_TIMEOUT_MS });

      // Too long a name is refused before sending, in the server's limit.
      await dialog.getByLabel('Name').fill('n'.repeat(81));
      await dialog.getByRole('button', { name: 'Create room' }).click();
      await dialog.getByRole('alert').filter({ hasText: 'A room name can be at most 80 characters.' }).waitFor();

      // The address follows the name; each type says what it means.
      await dialog.getByLabel('Name').fill('Career Help');
      await expect(dialog.getByLabel('Address').inputValue()).resolves.toBe('career-help');
      await dialog.getByLabel('Emoji').fill('🧭');
      await dialog.getByLabel('What the room is for').fill('Portfolios, interviews and first jobs in AI.');
      const help = dialog.getByRole('radio', { name: 'Help room' });
      expect(await help.getAttribute('aria-describedby')).toBeTruthy();
      await dialog.getByText('Each new question becomes its own thread').waitFor();
      await help.check();
      expect(await seriousAxeViolations(ana.page)).toEqual([]);
      await ana.page.screenshot({ path: join(SCREENSHOT_DIR, 'new-room-dialog-desktop.png') });
      await dialog.getByRole('button', { name: 'Create room' }).click();

      // She lands in the room: a help room, so each question starts a thread (the server's default).
      await ana.page.waitForURL(/\/lounge\/career-help$/, { timeout: UI_TIMEOUT_MS });
      await ana.page.getByRole('heading', { level: 1, name: 'Career Help' }).waitFor({ timeout: UI_TIMEOUT_MS });
      await ana.page.getByText('Every new question here starts its own thread').waitFor({ timeout: UI_TIMEOUT_MS });
      await roomLink(ana.page, 'career-help').waitFor({ timeout: UI_TIMEOUT_MS });

      // The same address again: the server's sentence, and no second room.
      await ana.page.getByRole('button', { name: 'New room' }).click();
      await dialog.getByLabel('Name').fill('Career help 2');
      await dialog.getByLabel('Address').fill('career-help');
      await dialog.getByRole('button', { name: 'Create room' }).click();
      await dialog
        .getByRole('alert')
        .filter({ hasText: 'Another room in The Lounge already uses the address "career-help"' })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => dialog.count()).toBe(0);

      // Room Settings: the type and who can read, held by the server (read back when opened again).
      await ana.page.getByRole('button', { name: 'Settings' }).click();
      let settings = ana.page.getByRole('dialog', { name: 'Room settings' });
      await settings.getByRole('radio', { name: 'Announcements' }).check();
      // Not a help room any more: questions no longer start threads on their own.
      expect(await settings.getByLabel('Each new message starts its own thread').isChecked()).toBe(false);
      await settings.getByLabel(/^Who can read/).selectOption({ label: 'Everyone in the community' });
      await settings.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => settings.count()).toBe(0);
      await ana.page
        .getByRole('list', { name: 'About this room' })
        .getByText('Announcements')
        .waitFor({ timeout: UI_TIMEOUT_MS });
      await ana.page.reload();
      await ana.page.getByRole('button', { name: 'Settings' }).click();
      settings = ana.page.getByRole('dialog', { name: 'Room settings' });
      expect(await settings.getByRole('radio', { name: 'Announcements' }).isChecked()).toBe(true);
      await settings.getByRole('button', { name: 'Cancel' }).click();

      // Ana archives General while Max is in it: his list hears it from the room, marks it archived in its own
      // group after the others — and learns of Career Help on the way, without his navigating.
      await ana.page.goto(`${server.url}/lounge/general`);
      await ana.page.getByRole('button', { name: 'Settings' }).click();
      settings = ana.page.getByRole('dialog', { name: 'Room settings' });
      await settings.getByLabel(/^Archived/).check();
      await settings.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => settings.count()).toBe(0);

      const archivedGroup = sidebar(max.page).locator('details.room-list__archived');
      await archivedGroup.locator('a[data-room-slug="general"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
      // Open, since the room he is in is archived; marked as such.
      expect(await archivedGroup.getAttribute('open')).not.toBeNull();
      expect(await roomLink(max.page, 'general').innerText()).toMatch(/Archived/);
      await roomLink(max.page, 'career-help').waitFor({ timeout: LIVE_TIMEOUT_MS });
      // The last of the active rooms, before the archived group.
      const order = await sidebar(max.page)
        .locator('a.room-item__link')
        .evaluateAll((links) => links.map((a) => a.getAttribute('data-room-slug')));
      expect(order.slice(-2)).toEqual(['career-help', 'general']);
      await max.page
        .getByRole('note')
        .filter({ hasText: 'This room is archived' })
        .waitFor({ timeout: LIVE_TIMEOUT_MS });
      await max.page.screenshot({ path: join(SCREENSHOT_DIR, 'lounge-archived-room-desktop.png') });

      // The admin finds it there too and unarchives it: it takes its place again.
      await ana.page.reload();
      await ana.page.getByRole('button', { name: 'Settings' }).click();
      settings = ana.page.getByRole('dialog', { name: 'Room settings' });
      await settings.getByLabel(/^Archived/).uncheck();
      await settings.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => sidebar(max.page).locator('details.room-list__archived').count(), { timeout: LIVE_TIMEOUT_MS })
        .toBe(0);
      expect(unexpectedErrors(ana)).toEqual([]);
      expect(unexpectedErrors(max)).toEqual([]);
    } finally {
      await ana.close();
      await max.close();
    }
  });

  it('on a phone: the New room dialog fits the screen, and archived rooms are a closed group under the others', async () => {
    const ana = await openPage(browser, { viewport: 'phone' });
    try {
      await ana.page.goto(`${server.url}/lounge`);
      await submitDemoSignIn(ana.page, ADMIN.handle, ADMIN.name);
      await ana.page.getByRole('button', { name: 'New room' }).click();
      const dialog = ana.page.getByRole('dialog', { name: 'New room in The Lounge' });
      await dialog.getByLabel('Name').fill('Old Showcase');
      await dialog.getByRole('radio', { name: 'Showcase' }).check();
      const box = await dialog.boundingBox();
      expect(box!.width).toBeLessThanOrEqual(390);
      await ana.page.screenshot({ path: join(SCREENSHOT_DIR, 'new-room-dialog-phone.png') });
      await dialog.getByRole('button', { name: 'Create room' }).click();
      await ana.page.waitForURL(/\/lounge\/old-showcase$/, { timeout: UI_TIMEOUT_MS });
      await ana.page.getByRole('button', { name: 'Settings' }).click();
      const settings = ana.page.getByRole('dialog', { name: 'Room settings' });
      await settings.getByLabel(/^Archived/).check();
      await settings.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => settings.count()).toBe(0);
      await ana.page.goto(`${server.url}/lounge`);
      const group = sidebar(ana.page).locator('details.room-list__archived');
      await group.waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await group.getAttribute('open')).toBeNull();
      expect(await group.locator('summary').innerText()).toMatch(/^Archived\s*\d+$/i);
      await group.locator('summary').click();
      await group.locator('a[data-room-slug="old-showcase"]').waitFor({ timeout: UI_TIMEOUT_MS });
      // Not among the welcome page's ways into a room.
      expect(await ana.page.locator('.room-cards').getByText('Old Showcase').count()).toBe(0);
      // clientWidth, not innerWidth: a phone browser widens its layout viewport to fit overflowing content.
      const fits = await ana.page.evaluate<boolean>(
        'document.documentElement.scrollWidth <= document.documentElement.clientWidth',
      );
      expect(fits).toBe(true);
      await ana.page.screenshot({ path: join(SCREENSHOT_DIR, 'lounge-archived-group-phone.png'), fullPage: true });
      expect(unexpectedErrors(ana)).toEqual([]);
    } finally {
      await ana.close();
    }
  });
});
