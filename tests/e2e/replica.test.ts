import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type OpenedPage } from '../support/browser.ts';
import {
  composer,
  confirmed,
  messageLog,
  messageWithText,
  submitDemoSignIn,
  UI_TIMEOUT_MS,
  unexpectedErrors,
  waitOnline,
  LIVE_TIMEOUT_MS,
} from '../support/chat-ui.ts';
import type { ServerProcess } from '../support/server-process.ts';
import { startPreparedServer } from '../support/prepared-server.ts';

/**
 * What the device keeps, checked in the device's own SQL replica (PGlite in the page's worker, read through
 * the test hook the e2e build installs), not only on screen: hidden words leave it, a lost room leaves it.
 */
const GENERAL = { slug: 'general', name: 'General Chat' };
const MODERATOR = { handle: 'rep_mia', name: 'Mia Moderator' };

let server: ServerProcess;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lounge-e2e-replica-'));
  // The moderator's account exists after a first start; with the server stopped, the database makes them
  // a moderator of General Chat (no API grants room roles yet).
  ({ server } = await startPreparedServer({ dataDir, readyTimeoutMs: 180_000 }, [MODERATOR], async (db, [modId]) => {
    await db.query(
      `INSERT INTO room_memberships (room_id, user_id, role) SELECT id, $1, 'moderator' FROM rooms WHERE slug = 'general'
       ON CONFLICT (room_id, user_id) DO UPDATE SET role = 'moderator'`,
      [modId],
    );
  }));
  browser = await launchBrowser();
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function joinGeneral(handle: string, displayName: string): Promise<OpenedPage> {
  const opened = await openPage(browser);
  if (process.env.E2E_DEBUG) opened.page.on('console', (m) => console.log(`[${handle}] ${m.type()}: ${m.text()}`));
  await opened.page.goto(`${server.url}/lounge/${GENERAL.slug}`);
  // The first load of the app can be slow on a busy machine (two cores shared by every test run).
  await opened.page.getByLabel('Handle').waitFor({ timeout: 90_000 });
  await submitDemoSignIn(opened.page, handle, displayName);
  await opened.page.locator('.app-header').waitFor({ timeout: UI_TIMEOUT_MS });
  await waitOnline(opened.page);
  await composer(opened.page, GENERAL.name).waitFor({ timeout: UI_TIMEOUT_MS });
  return opened;
}

async function send(page: Page, text: string): Promise<string> {
  const box = composer(page, GENERAL.name);
  await box.fill(text);
  await box.press('Enter');
  const message = messageWithText(page, GENERAL.name, text);
  await message.waitFor({ timeout: LIVE_TIMEOUT_MS });
  return (await message.getAttribute('data-message-id'))!;
}

/** Runs SQL in the page's replica (after its pending writes). */
function replicaQuery<T>(page: Page, sql: string, params: unknown[] = []): Promise<T[]> {
  return page.evaluate(
    async ({ sql, params }) => {
      const hook = (globalThis as { __loungeReplica?: { query(s: string, p: unknown[]): Promise<unknown[]> } })
        .__loungeReplica;
      if (!hook) throw new Error('the replica test hook is not installed (build with VITE_LOUNGE_TEST_HOOKS=1)');
      return hook.query(sql, params);
    },
    { sql, params },
  ) as Promise<T[]>;
}

async function replicaRow(page: Page, messageId: string) {
  const rows = await replicaQuery<{ body: string; hidden: boolean; findable: boolean }>(
    page,
    `SELECT body, hidden, search @@ websearch_to_tsquery('english', 'rubberducks') AS findable FROM messages WHERE id = $1`,
    [messageId],
  );
  return rows[0] ?? null;
}

async function moreAction(message: Locator, item: string): Promise<void> {
  await message.focus();
  await message.getByRole('button', { name: 'More actions' }).click();
  await message.getByRole('button', { name: item }).click();
}

async function setOffline(page: Page, offline: boolean): Promise<void> {
  await page.context().setOffline(offline);
  if (offline) {
    await expect
      .poll(() => page.locator('.connection').getAttribute('data-state'), { timeout: UI_TIMEOUT_MS })
      .toBe('offline');
  } else await waitOnline(page);
}

describe('the SQL replica on the device', () => {
  it('a message hidden while a member is offline is hidden in their view and gone from their replica on reconnect', async () => {
    const ann = await joinGeneral('rep_ann', 'Ann Member');
    const mia = await joinGeneral(MODERATOR.handle, MODERATOR.name);
    try {
      const id = await send(ann.page, 'Flash sale on rubberducks at my stall today');
      // Ann's device holds it, and its words can be found there.
      await expect
        .poll(() => replicaRow(ann.page, id), { timeout: LIVE_TIMEOUT_MS })
        .toMatchObject({
          hidden: false,
          findable: true,
        });

      await setOffline(ann.page, true);
      const onMia = messageWithText(mia.page, GENERAL.name, 'rubberducks');
      await onMia.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await moreAction(onMia, 'Hide message');
      const form = mia.page.getByRole('form', { name: 'Hide this message' });
      await form.getByLabel(/Reason/).fill('Advertising');
      await form.getByRole('button', { name: 'Hide' }).click();
      await mia.page.getByText('Hidden from members: Advertising').waitFor({ timeout: LIVE_TIMEOUT_MS });
      // While Ann is offline her device still has what it had.
      expect(await replicaRow(ann.page, id)).toMatchObject({ hidden: false });

      await setOffline(ann.page, false);
      await confirmed(ann.page, GENERAL.name)
        .filter({ hasText: 'Hidden by moderation: Advertising' })
        .waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await messageLog(ann.page, GENERAL.name).innerText()).not.toContain('rubberducks');
      // The row stays (context), its words do not: neither stored nor findable.
      await expect
        .poll(() => replicaRow(ann.page, id), { timeout: LIVE_TIMEOUT_MS })
        .toEqual({ body: '', hidden: true, findable: false });

      // Offline search on the device no longer finds it.
      await ann.page.getByRole('link', { name: 'Search messages' }).click();
      await setOffline(ann.page, true);
      const box = ann.page.getByRole('searchbox', { name: 'Search messages' });
      await box.fill('rubberducks');
      await box.press('Enter');
      await ann.page
        .getByText(/No messages found\. on this device|No messages found/)
        .waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await ann.page.locator('.search-hit').count()).toBe(0);
      await setOffline(ann.page, false);
      expect(unexpectedErrors(ann)).toEqual([]);
    } finally {
      await ann.close();
      await mia.close();
    }
  }, 240_000);

  it('a member banned from a room loses it from the replica: rows, docs, and it does not come back on reload', async () => {
    const cal = await joinGeneral('rep_cal', 'Cal Banned');
    const mia = await joinGeneral(MODERATOR.handle, MODERATOR.name);
    try {
      const id = await send(cal.page, 'Anyone here collecting bananaphones?');
      const [row] = await (async () => {
        await expect
          .poll(async () => (await replicaQuery(cal.page, 'SELECT 1 FROM messages WHERE id = $1', [id])).length, {
            timeout: LIVE_TIMEOUT_MS,
          })
          .toBe(1);
        return replicaQuery<{ channel_id: string }>(cal.page, 'SELECT channel_id::text FROM messages WHERE id = $1', [
          id,
        ]);
      })();
      const generalId = row!.channel_id;
      const roomRows = () =>
        replicaQuery<{ n: number }>(cal.page, 'SELECT count(*)::int AS n FROM messages WHERE channel_id = $1', [
          generalId,
        ]).then((r) => r[0]!.n);
      const storedDocs = () =>
        cal.page.evaluate(async (channelId) => {
          // In the page; the test project has no DOM types, so indexedDB is reached through globalThis.
          const idb = (globalThis as unknown as { indexedDB: { databases(): Promise<Array<{ name?: string }>> } })
            .indexedDB;
          return (await idb.databases()).map((d) => d.name ?? '').filter((name) => name.includes(`ch.${channelId}.`));
        }, generalId);
      // The room's newest messages kept for an instant cold open (localStorage) are a store too.
      const firstPaintKept = () =>
        cal.page.evaluate((channelId) => {
          const storage = (globalThis as unknown as { localStorage: { key(i: number): string | null; length: number } })
            .localStorage;
          const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i) ?? '');
          return keys.some((key) => key.startsWith('lounge.firstpaint.v1.') && key.endsWith(`.${channelId}`));
        }, generalId);
      expect(await roomRows()).toBeGreaterThan(0);
      expect((await storedDocs()).length).toBeGreaterThan(0);
      await expect.poll(firstPaintKept, { timeout: LIVE_TIMEOUT_MS }).toBe(true);

      const onMia = messageWithText(mia.page, GENERAL.name, 'bananaphones');
      await onMia.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await moreAction(onMia, 'Ban author from this room');
      const form = mia.page.getByRole('form', { name: 'Ban the author from this room' });
      await form.getByRole('button', { name: 'Ban' }).click();

      // Cal's device: the room's messages and docs are gone.
      await expect.poll(roomRows, { timeout: LIVE_TIMEOUT_MS }).toBe(0);
      await expect.poll(storedDocs, { timeout: LIVE_TIMEOUT_MS }).toEqual([]);
      await expect.poll(firstPaintKept, { timeout: LIVE_TIMEOUT_MS }).toBe(false);
      await expect
        .poll(() => messageLog(cal.page, GENERAL.name).locator('article.msg').count(), { timeout: LIVE_TIMEOUT_MS })
        .toBe(0);

      // A reload (and the catch-up that runs on reconnect) brings none of it back.
      await cal.page.reload();
      await waitOnline(cal.page);
      await cal.page.evaluate(() =>
        (globalThis as { __loungeReplica?: { catchUp(): Promise<void> } }).__loungeReplica!.catchUp(),
      );
      expect(await roomRows()).toBe(0);
      expect(await firstPaintKept()).toBe(false);
      expect(
        await replicaQuery(
          cal.page,
          "SELECT 1 FROM messages WHERE search @@ websearch_to_tsquery('english', 'bananaphones')",
        ),
      ).toEqual([]);
    } finally {
      await cal.close();
      await mia.close();
    }
  }, 240_000);
});
