import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { launchBrowser, openPage, seriousAxeViolations } from '../support/browser.ts';
import { fillChannelHistory } from '../support/bulk-history.ts';
import {
  composer,
  confirmed,
  messageWithText,
  submitDemoSignIn,
  UI_TIMEOUT_MS,
  unexpectedErrors,
  LIVE_TIMEOUT_MS,
  SCREENSHOT_DIR,
} from '../support/chat-ui.ts';
import type { ServerProcess } from '../support/server-process.ts';
import { startPreparedServer } from '../support/prepared-server.ts';

/** A global admin (set in the database between two starts: the host platform's admin flag). */
const ADMIN = { handle: 'gia_admin', name: 'Gia Admin' };
const ESCALATED_BODY = 'history message 3';
/** Who wrote the escalated message, and deleted their account since. */
const GONE = { handle: 'gone_gus', name: 'Gus Gone' };
const GENERAL_NAME = 'General Chat';
const ESCALATED_ROOM = { slug: 'coding', name: 'Coding & Automation' };
/** A help room with a two-word name, as the audit saw it cut to "Home work…" on a phone. */
const HOMEWORK = { slug: 'homework-help', name: 'Homework Help' };

let server: ServerProcess;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'lounge-e2e-admin-'));
  // First start: Gia's account exists. With the server stopped she becomes a global admin, General gets a
  // few messages, and a room moderator's escalation of one of them waits for the admins. Its author, Gus,
  // deleted his account since (anonymized as the server does it).
  ({ server } = await startPreparedServer({ dataDir }, [ADMIN, GONE], async (db, [giaId, gusId]) => {
    await db.query('UPDATE users SET is_global_admin = true WHERE id = $1', [giaId]);
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM rooms WHERE slug = 'general'`);
    const general = rows[0]!.id;
    await fillChannelHistory(db as unknown as Database, general, giaId!, 5);
    const homework = (await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`))
      .rows[0]!.id;
    await db.query(
      `INSERT INTO rooms (id, lounge_id, slug, name, description, emoji, room_type, context_type, auto_thread, position)
       SELECT $1, r.lounge_id, $2, $3, 'Stuck on an exercise? Ask here.', '📚', 'lounge', 'help', true, 99
         FROM rooms r WHERE r.id = $4`,
      [homework, HOMEWORK.slug, HOMEWORK.name, general],
    );
    // The escalated message is the third of a long history: segments behind the one a device opens on.
    const escalatedIn = (await db.query<{ id: string }>(`SELECT id FROM rooms WHERE slug = $1`, [ESCALATED_ROOM.slug]))
      .rows[0]!.id;
    await fillChannelHistory(db as unknown as Database, escalatedIn, giaId!, 600);
    await db.query(
      `INSERT INTO moderation_queue (message_id, room_id, source, status, reason, escalated)
       SELECT id, room_id, 'community', 'escalated', 'Looks like a scam; escalated by the room moderators', true
         FROM messages WHERE channel_id = $1 AND body = $2`,
      [escalatedIn, ESCALATED_BODY],
    );
    await db.query('UPDATE messages SET author_id = $2 WHERE channel_id = $1 AND body = $3', [
      escalatedIn,
      gusId,
      ESCALATED_BODY,
    ]);
    await db.query(
      `UPDATE users SET handle = 'deleted_' || substr(replace(id::text, '-', ''), 1, 12), display_name = 'Deleted user',
                        anonymized_at = now() WHERE id = $1`,
      [gusId],
    );
  }));
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("a room's settings", () => {
  it('a global admin turns on slow mode and rewords the room; members read it in the intro and are held to it', async () => {
    const gia = await openPage(browser);
    const ola = await openPage(browser);
    try {
      await gia.page.goto(`${server.url}/lounge/general`);
      await submitDemoSignIn(gia.page, ADMIN.handle, ADMIN.name);
      await gia.page.getByRole('button', { name: 'Settings' }).click();
      const dialog = gia.page.getByRole('dialog', { name: 'Room settings' });
      await dialog.waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await seriousAxeViolations(gia.page)).toEqual([]);
      await dialog.getByLabel('What the room is for').fill('Off-topic and wins of the week. Keep it calm.');
      await dialog.getByLabel(/^Slow mode/).selectOption({ label: '30 seconds' });
      await dialog.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => dialog.count()).toBe(0);
      await gia.page
        .getByText('Off-topic and wins of the week. Keep it calm.')
        .first()
        .waitFor({ timeout: UI_TIMEOUT_MS });
      await gia.page.getByText(/Slow mode is on: one message every 30 seconds/).waitFor({ timeout: UI_TIMEOUT_MS });

      // A member who opens the room reads it, and the server holds them to it.
      await ola.page.goto(`${server.url}/lounge/general`);
      await submitDemoSignIn(ola.page, 'ola_member', 'Ola Member');
      await ola.page.getByText(/Slow mode is on: one message every 30 seconds/).waitFor({ timeout: UI_TIMEOUT_MS });
      const box = composer(ola.page, GENERAL_NAME);
      await box.fill('first words');
      await box.press('Enter');
      await messageWithText(ola.page, GENERAL_NAME, 'first words').waitFor({ timeout: LIVE_TIMEOUT_MS });
      await box.fill('second words, too soon');
      await box.press('Enter');
      // Too soon: held back with the reason, and sent by itself when slow mode allows; she takes it back.
      const held = ola.page.getByRole('group', { name: 'Message held back' });
      await held.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await held.innerText()).toMatch(/Slow mode is on in this room\. It goes out by itself in \d+ (s|min)\./);
      await held.getByRole('button', { name: "Don't send" }).click();
      await expect.poll(() => held.count()).toBe(0);

      // Ola posted, so she is a member of the room: Gia makes her a moderator from the same dialog.
      await gia.page.getByRole('button', { name: 'Settings' }).click();
      const roles = gia.page
        .getByRole('dialog', { name: 'Room settings' })
        .getByRole('list', { name: 'Members of this room' });
      const olaRole = roles.getByRole('combobox', { name: 'Role of Ola Member' });
      await olaRole.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect(olaRole.inputValue()).resolves.toBe('member');
      await olaRole.selectOption({ label: 'Moderator' });
      await gia.page.getByText('Ola Member is now moderator.').waitFor({ timeout: UI_TIMEOUT_MS });
      // The server holds it: opened again, the dialog reads her new role back.
      await gia.page.getByRole('button', { name: 'Cancel' }).click();
      await gia.page.getByRole('button', { name: 'Settings' }).click();
      await expect.poll(() => olaRole.inputValue().catch(() => ''), { timeout: LIVE_TIMEOUT_MS }).toBe('moderator');
      expect(unexpectedErrors(gia)).toEqual([]);
    } finally {
      await gia.close();
      await ola.close();
    }
  });
});

describe('who can post in a room', () => {
  it('an admin keeps posting to moderators, then to established members: a member is told why instead of a composer that fails', async () => {
    const gia = await openPage(browser);
    const pia = await openPage(browser);
    const ROOM = { slug: 'prompt-engineering', name: 'Prompt Engineering' };
    try {
      await gia.page.goto(`${server.url}/lounge/${ROOM.slug}`);
      await submitDemoSignIn(gia.page, ADMIN.handle, ADMIN.name);
      const settings = async () => {
        await gia.page.getByRole('button', { name: 'Settings' }).click();
        const dialog = gia.page.getByRole('dialog', { name: 'Room settings' });
        await dialog.waitFor({ timeout: UI_TIMEOUT_MS });
        return dialog;
      };
      let dialog = await settings();
      await expect(dialog.getByLabel('Who can post').inputValue()).resolves.toBe('everyone');
      await dialog.getByLabel('Who can post').selectOption({ label: 'Moderators and admins' });
      await dialog.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => dialog.count()).toBe(0);
      // The admin still posts.
      await composer(gia.page, ROOM.name).waitFor({ timeout: UI_TIMEOUT_MS });

      // A member who opens the room reads it but gets the reason where the composer would be.
      await pia.page.goto(`${server.url}/lounge/${ROOM.slug}`);
      await submitDemoSignIn(pia.page, 'pia_member', 'Pia Member');
      const note = pia.page.getByRole('note').filter({ hasText: 'Only moderators can post in this room.' });
      await note.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await composer(pia.page, ROOM.name).count()).toBe(0);

      // Open to everyone again, but only to members of some standing: Pia's account is minutes old.
      dialog = await settings();
      await expect(dialog.getByLabel('Who can post').inputValue()).resolves.toBe('moderator');
      await dialog.getByLabel('Who can post').selectOption({ label: 'Everyone who can read it' });
      await dialog
        .getByLabel(/^Members need before posting/)
        .selectOption({ label: '10 messages and 3 days in the community' });
      await dialog.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => dialog.count()).toBe(0);
      // Live: Pia's open room follows its admins' settings without a reload.
      await pia.page
        .getByRole('note')
        .filter({ hasText: /You can post in this room once you have sent 10 messages/ })
        .waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await composer(pia.page, ROOM.name).count()).toBe(0);
      expect(await seriousAxeViolations(pia.page)).toEqual([]);

      // Back to anyone: Pia's composer is there and her words go through.
      dialog = await settings();
      await dialog.getByLabel(/^Members need before posting/).selectOption({ label: 'Anyone, new accounts too' });
      await dialog.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => dialog.count()).toBe(0);
      const box = composer(pia.page, ROOM.name);
      await box.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await box.fill('hello prompt people');
      await box.press('Enter');
      await messageWithText(gia.page, ROOM.name, 'hello prompt people').waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(unexpectedErrors(gia)).toEqual([]);
      expect(unexpectedErrors(pia)).toEqual([]);
    } finally {
      await gia.close();
      await pia.close();
    }
  });
});

describe('on a phone', () => {
  it("a room's two-word name fits its header, and Review, with items waiting, leads the navigation", async () => {
    const gia = await openPage(browser, { viewport: 'phone' });
    try {
      const { page } = gia;
      await page.goto(`${server.url}/lounge/${HOMEWORK.slug}`);
      await submitDemoSignIn(page, ADMIN.handle, ADMIN.name);
      await composer(page, HOMEWORK.name).waitFor({ timeout: UI_TIMEOUT_MS });
      // The name reads whole, on one line: not squeezed to "Home work…" by the header's buttons.
      const title = page.getByRole('heading', { level: 1, name: HOMEWORK.name });
      const fit = await title.evaluate((el) => {
        const style = el.ownerDocument.defaultView!.getComputedStyle(el);
        return {
          lines: Math.round(el.getBoundingClientRect().height / parseFloat(style.lineHeight)),
          clipped: el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight + 1,
        };
      });
      expect(fit).toEqual({ lines: 1, clipped: false });
      // The escalated item waits for Gia (a global admin): Review says so and stands first, in view.
      const review = page.getByRole('navigation', { name: 'Community' }).getByRole('link', { name: /^Review( |$)/ });
      await review.getByRole('img', { name: '1 waiting for review' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
      const box = await review.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390 - 24);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'room-header-phone-two-words.png') });
      expect(unexpectedErrors(gia)).toEqual([]);
    } finally {
      await gia.close();
    }
  });
});

describe('escalated review items', () => {
  it('a global admin opens what room moderators escalated and decides it; an escalated item cannot be escalated again', async () => {
    const gia = await openPage(browser);
    try {
      const { page } = gia;
      await page.goto(`${server.url}/lounge/general`);
      await submitDemoSignIn(page, ADMIN.handle, ADMIN.name);
      await page.getByRole('link', { name: /^Review( |$)/ }).click();
      await page.getByRole('heading', { name: 'Review queue' }).waitFor({ timeout: UI_TIMEOUT_MS });
      await page.getByText('Nothing waits for review. Well done, team.').waitFor({ timeout: LIVE_TIMEOUT_MS });

      await page.getByRole('button', { name: 'Escalated to admins' }).click();
      const item = page.getByRole('list', { name: 'Escalated items' }).getByRole('listitem').filter({
        hasText: ESCALATED_BODY,
      });
      await item.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await item.getByText('Looks like a scam; escalated by the room moderators').waitFor();
      // Named by the server, on any device: this is the first page Gia's device loads after signing in.
      await item.getByText(`in ${ESCALATED_ROOM.name}`).waitFor();
      expect(await item.getByRole('button', { name: 'Escalate' }).count()).toBe(0);
      // Its author deleted their account: named as chat names them, not by the placeholder handle.
      expect(await item.locator('blockquote').innerText()).toMatch(/^Deleted user: history message 3/);
      expect(await item.innerText()).not.toContain('deleted_');
      // Nobody is left to warn, mute or ban: the message alone is decided.
      for (const name of ['Hide and warn', 'Hide and mute', 'Hide and ban'])
        expect(await item.getByRole('button', { name }).count()).toBe(0);
      expect(await item.getByLabel('Mute for').count()).toBe(0);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'review-item-link.png'), fullPage: true });

      // To judge its tone, Gia opens it in its conversation: the room opens on it, ~600 messages back.
      await item.getByRole('link', { name: 'Show in the conversation' }).click();
      const escalated = confirmed(page, ESCALATED_ROOM.name).filter({
        has: page.locator('.msg__body', { hasText: new RegExp(`^${ESCALATED_BODY}$`) }),
      });
      await escalated.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(new URL(page.url()).pathname).toBe(`/lounge/${ESCALATED_ROOM.slug}`);
      await expect
        .poll(() => escalated.evaluate((el) => el === el.ownerDocument.activeElement), { timeout: UI_TIMEOUT_MS })
        .toBe(true);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'review-item-opened.png') });
      await page.goBack();
      await page.getByRole('button', { name: 'Escalated to admins' }).click();
      await item.waitFor({ timeout: LIVE_TIMEOUT_MS });

      await item.getByLabel('Reason (kept in the moderation log)').fill('Phishing link');
      await item.getByRole('button', { name: 'Hide', exact: true }).click();
      await item.getByText('Hidden from members.').waitFor({ timeout: LIVE_TIMEOUT_MS });

      // The room's moderation log shows the decision: who, what, why.
      await page.getByLabel('Room', { exact: true }).selectOption({ label: ESCALATED_ROOM.name });
      const log = page.getByRole('list', { name: 'Moderation actions, newest first' });
      await log.getByRole('listitem').first().waitFor({ timeout: LIVE_TIMEOUT_MS });
      const entry = log.getByRole('listitem').first();
      await expect(entry.innerText()).resolves.toMatch(
        /@gia_admin hid a message by Deleted user: Phishing link Show in the conversation$/,
      );
      expect(await entry.getByRole('link', { name: 'Show in the conversation' }).getAttribute('href')).toMatch(
        /^\/lounge\/coding#message-[0-9a-f-]+$/,
      );
      await entry.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'moderation-log-link.png') });
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(unexpectedErrors(gia)).toEqual([]);
    } finally {
      await gia.close();
    }
  });
});
