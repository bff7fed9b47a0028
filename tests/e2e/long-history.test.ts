import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { migrate } from '../../sync-server/db/migrate.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { seedLounge } from '../../sync-server/features/lounge/seed-lounge.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { SEGMENT_SIZE } from '../../shared/sync/segments.ts';
import { persistChannelSnapshot } from '../../sync-server/sync/channel-doc-store.ts';
import { launchBrowser, openPage, type OpenedPage } from '../support/browser.ts';
import { fillChannelHistory } from '../support/bulk-history.ts';
import {
  composer,
  messageLog,
  submitDemoSignIn,
  UI_TIMEOUT_MS,
  unexpectedErrors,
  waitOnline,
} from '../support/chat-ui.ts';
import { createMember, loungeRoomId } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startServer, type ServerProcess } from '../support/server-process.ts';
import { TestDevice } from '../support/sync-test-client.ts';
import { hostToken, TEST_HOST_SECRET, TEST_SIGNING_SECRET } from '../support/test-app.ts';

const ROOM = { slug: 'general', name: 'General Chat' };
const HISTORY = 10_000;
/** Rows the virtual log may keep in the DOM: the viewport plus overscan, nowhere near the history. */
const MAX_DOM_ROWS = 150;

let testDb: TestDatabase;
let db: Database;
let server: ServerProcess;
let browser: Browser;
let historian: UserRow;
let general: string;
/** The message the newest one replies to: the 30th, far older than anything the app loads at first. */
let oldOriginal: { id: string; seq: number };
let midMessage: { id: string; seq: number };
const devices: TestDevice[] = [];
const pages: OpenedPage[] = [];

/** A reply to an old message, written the way the intent pipeline writes a message and its change. */
async function insertReply(channelId: string, authorId: string, replyToId: string, body: string): Promise<void> {
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ seq: number; change_seq: number }>(
      'UPDATE channels SET last_seq = last_seq + 1, change_seq = change_seq + 1 WHERE id = $1 RETURNING last_seq AS seq, change_seq',
      [channelId],
    );
    const { seq, change_seq } = rows[0]!;
    await tx.query(
      `WITH ins AS (
         INSERT INTO messages (channel_id, seq, room_id, author_id, body, reply_to_id)
         VALUES ($1, $2, $1, $3, $4, $5) RETURNING id, created_at
       )
       INSERT INTO channel_changes (channel_id, change_seq, kind, segment, message_id, payload)
       SELECT $1, $6, 'message', ($2 - 1) / 256, ins.id,
              jsonb_build_object('kind', 'message', 'message', jsonb_build_object(
                'id', ins.id, 'channelId', $1::text, 'seq', $2::int, 'authorId', $3::text, 'body', $4::text,
                'type', 'text', 'replyToId', $5::text, 'threadId', null, 'mentions', '[]'::jsonb, 'edited', false,
                'hidden', false, 'hiddenReason', null, 'deleted', false, 'pinned', false,
                'createdAt', to_char(ins.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'editedAt', null, 'reactions', '{}'::jsonb))
         FROM ins`,
      [channelId, seq, authorId, body, replyToId, change_seq],
    );
  });
}

async function messageAt(seq: number): Promise<{ id: string; seq: number }> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM messages WHERE channel_id = $1 AND seq = $2', [
    general,
    seq,
  ]);
  return { id: rows[0]!.id, seq };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = createPgDatabase(testDb.url);
  await migrate(db);
  await seedLounge(db);
  general = await loungeRoomId(db, ROOM.slug);
  historian = await createMember(db, 'historian');
  await fillChannelHistory(db, general, historian.id, HISTORY);
  oldOriginal = await messageAt(30);
  midMessage = await messageAt(5_000);
  await insertReply(general, historian.id, oldOriginal.id, 'a reply to something said long ago');
  // The old message was reacted to and leads to a thread: a history page must show both, as a doc would.
  await db.query(`INSERT INTO reactions (message_id, user_id, emoji) VALUES ($1, $2, '🎉')`, [
    oldOriginal.id,
    historian.id,
  ]);
  await db.query(
    `WITH ch AS (INSERT INTO channels (kind) VALUES ('thread') RETURNING id)
     INSERT INTO threads (id, room_id, parent_message_id, title, creator_id, message_count, last_message_at)
     SELECT ch.id, $1, $2, 'Long ago', $3, 3, now() - interval '2 hours' FROM ch`,
    [general, oldOriginal.id, historian.id],
  );
  // The snapshot job's work, so opening the room does not replay 10,000 changes.
  await persistChannelSnapshot(db, { kind: 'channel-meta', channelId: general });
  server = await startServer({
    env: {
      NODE_ENV: 'test',
      DATABASE_URL: testDb.url,
      AUTH_JWT_SECRET: TEST_HOST_SECRET,
      LOUNGE_SIGNING_SECRET: TEST_SIGNING_SECRET,
      LOUNGE_DEMO_SIGN_IN: 'true',
      LOG_LEVEL: 'warn',
    },
  });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  for (const d of devices) d.stop();
  for (const p of pages) await p.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
  await db?.close();
  await testDb?.drop();
});

async function openRoom(hash = ''): Promise<OpenedPage> {
  const opened = await openPage(browser);
  pages.push(opened);
  await opened.page.goto(`${server.url}/lounge/${ROOM.slug}${hash}`);
  await submitDemoSignIn(opened.page, 'reader', 'Rita Reader');
  await composer(opened.page, ROOM.name).waitFor({ timeout: UI_TIMEOUT_MS });
  await waitOnline(opened.page);
  return opened;
}

/** The member's second device (the real client sync code), with General open. */
async function openDevice(member: UserRow): Promise<TestDevice> {
  const device = new TestDevice(member.id, server.url, async () => {
    const res = await fetch(`${server.url}/api/auth/connection-token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await hostToken({ sub: member.host_user_id })}` },
    });
    return ((await res.json()) as { token: string }).token;
  }).start();
  devices.push(device);
  await device.openChannel(general);
  return device;
}

/** What the virtual log holds: rows in the DOM, rows it knows of, and where it is scrolled. */
function logState(page: Page) {
  return messageLog(page, ROOM.name).evaluate((log) => {
    const scroller = log.parentElement!;
    return {
      domRows: log.querySelectorAll('.chat__row').length,
      domMessages: log.querySelectorAll('article.msg').length,
      total: Number(log.getAttribute('data-rows-total')),
      firstSeq: Number(log.querySelector('article.msg[data-seq]')?.getAttribute('data-seq') ?? 0),
      // Every seq exists in this room, so the messages on screen must follow each other with no gap.
      gaps: [...log.querySelectorAll('article.msg[data-seq]')]
        .map((el) => Number(el.getAttribute('data-seq')))
        .filter((seq, i, seqs) => i > 0 && seq !== seqs[i - 1]! + 1).length,
      scrollTop: scroller.scrollTop,
      distanceFromBottom: scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight,
    };
  });
}

/**
 * The article with this message id and where it sits in the scroller's viewport, as painted.
 */
function placeOf(page: Page, messageId: string) {
  return messageLog(page, ROOM.name).evaluate(async (log, id) => {
    const w = globalThis as unknown as {
      requestAnimationFrame: (cb: () => void) => void;
      setTimeout: (cb: () => void, ms: number) => void;
    };
    // A task queued from a frame callback runs once that frame is painted: resize observers have run
    // and the place was restored, so this reads what the member sees, not a layout before its fix.
    await new Promise<void>((resolve) => w.requestAnimationFrame(() => w.setTimeout(resolve, 0)));
    const scroller = log.parentElement!;
    const el = log.querySelector(`[data-message-id="${id}"]`);
    if (!el) return null;
    const box = el.getBoundingClientRect();
    const frame = scroller.getBoundingClientRect();
    return {
      top: box.top - frame.top,
      inView: box.bottom > frame.top && box.top < frame.bottom,
      highlighted: el.classList.contains('msg--highlight') || el.hasAttribute('data-was-highlighted'),
      focused: el.ownerDocument.activeElement === el,
    };
  }, messageId);
}

describe('a conversation with 10,000 messages', () => {
  it('keeps only a window of rows in the DOM, pages history in while scrolling up, and keeps the place', async () => {
    const { page, errors } = await openRoom();
    await messageLog(page, ROOM.name)
      .locator('article.msg', { hasText: 'a reply to something said long ago' })
      .waitFor({
        timeout: UI_TIMEOUT_MS,
      });
    const first = await logState(page);
    expect(first.domMessages).toBeGreaterThan(0);
    expect(first.distanceFromBottom).toBeLessThan(100);

    // Scroll up through history: pages come in by themselves, and the message on screen stays put.
    let state = first;
    for (let step = 0; step < 12; step++) {
      const anchorId = await messageLog(page, ROOM.name).evaluate(async (log) => {
        const scroller = log.parentElement!;
        const w = globalThis as unknown as { requestAnimationFrame: (cb: () => void) => void };
        const frame = () => new Promise<void>((resolve) => w.requestAnimationFrame(resolve));
        scroller.scrollTop = Math.max(0, scroller.scrollTop - scroller.clientHeight * 3);
        // The window follows the scroll event; rows are measured before the next paint.
        await frame();
        await frame();
        const box = scroller.getBoundingClientRect();
        // A message inside a run: the oldest loaded one may join the run of a page prepended above it
        // (its margin goes), which moves its own top but not the rows the member reads.
        const visible = [...log.querySelectorAll('article.msg--grouped[data-message-id]')].find(
          (el) => el.getBoundingClientRect().top >= box.top,
        );
        return visible?.getAttribute('data-message-id') ?? null;
      });
      expect(anchorId).not.toBeNull();
      const before = await placeOf(page, anchorId!);
      await page.waitForTimeout(150);
      // A prepended page can show for one frame before its rows are measured; the place comes back.
      await expect
        .poll(
          async () => {
            const after = await placeOf(page, anchorId!);
            return after ? Math.abs(after.top - before!.top) : null;
          },
          { timeout: 3000, interval: 100 },
        )
        .toBeLessThan(3);
      state = await logState(page);
      expect(state.domRows).toBeLessThanOrEqual(MAX_DOM_ROWS);
      // A device opening the room for the first time pages back from the newest messages; the room's
      // first segment (named by its still-empty meta doc at first) never shows up beside them.
      expect(state.gaps).toBe(0);
    }
    expect(state.total, 'history was paged in while scrolling up').toBeGreaterThan(first.total + 200);

    // A new message while the member reads history: the place holds and a button offers the way down.
    const device = await openDevice(historian);
    const held = await logState(page);
    device.intent({ kind: 'send', channelId: general, body: 'news while you were reading' });
    const jump = page.getByRole('button', { name: 'New messages' });
    await jump.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(Math.abs((await logState(page)).scrollTop - held.scrollTop)).toBeLessThan(3);
    await jump.click();
    await messageLog(page, ROOM.name)
      .locator('article.msg', { hasText: 'news while you were reading' })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await expect.poll(async () => (await logState(page)).distanceFromBottom).toBeLessThan(100);
    expect(unexpectedErrors({ page, errors, close: async () => {} })).toEqual([]);
  }, 120_000);

  it('jumps from a reply to its original 9,970 messages back, and the DOM stays small', async () => {
    const { page, errors } = await openRoom();
    const reply = messageLog(page, ROOM.name).locator('article.msg', { hasText: 'a reply to something said long ago' });
    await reply.waitFor({ timeout: UI_TIMEOUT_MS });
    // The highlight fades after a few seconds: note that it was shown, however slow the machine.
    await messageLog(page, ROOM.name).evaluate((log) => {
      type Marked = { classList: { contains(name: string): boolean }; setAttribute(name: string, value: string): void };
      type Observer = new (cb: (records: Array<{ target: Marked }>) => void) => {
        observe(node: unknown, options: unknown): void;
      };
      const Observer = (globalThis as unknown as { MutationObserver: Observer }).MutationObserver;
      new Observer((records) => {
        for (const r of records)
          if (r.target.classList.contains('msg--highlight')) r.target.setAttribute('data-was-highlighted', '');
      }).observe(log, { subtree: true, attributes: true, attributeFilter: ['class'] });
    });
    const started = Date.now();
    await reply.getByRole('button', { name: /^Replying to .*Show the original message$/ }).click();
    await expect
      .poll(() => placeOf(page, oldOriginal.id), { timeout: 150_000, interval: 250 })
      .toMatchObject({ inView: true, highlighted: true, focused: true });
    const jumpMs = Date.now() - started;
    // Paged in over REST, the original still shows its reaction and its thread's activity.
    const original = messageLog(page, ROOM.name).locator(`article.msg[data-message-id="${oldOriginal.id}"]`);
    expect(await original.locator('.msg__thread').innerText()).toMatch(/3 replies\s*·?\s*last reply 2 hours ago/);
    expect(await original.locator('.reaction').innerText()).toMatch(/🎉\s*1/);
    const state = await logState(page);
    expect(state.total).toBeGreaterThan(HISTORY);
    expect(state.domRows).toBeLessThanOrEqual(MAX_DOM_ROWS);

    // Keyboard: from the focused message, the arrow keys move to its neighbours.
    await page.keyboard.press('ArrowUp');
    await expect
      .poll(() =>
        messageLog(page, ROOM.name).evaluate((log) => log.ownerDocument.activeElement?.getAttribute('data-seq')),
      )
      .toBe(String(oldOriginal.seq - 1));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect
      .poll(() =>
        messageLog(page, ROOM.name).evaluate((log) => log.ownerDocument.activeElement?.getAttribute('data-seq')),
      )
      .toBe(String(oldOriginal.seq + 1));

    // Scrolling through the 10,000 loaded messages: frame times while the scroll position moves every
    // frame — 100 px a frame (a brisk wheel or trackpad flick, 6,000 px/s) and 1,500 px a frame (a fling
    // that replaces every row on screen each frame).
    const scrollFrames = (step: number, count: number) =>
      messageLog(page, ROOM.name).evaluate(
        async (log, { step, count }) => {
          const scroller = log.parentElement!;
          const w = globalThis as unknown as { requestAnimationFrame: (cb: (t: number) => void) => void };
          const times: number[] = [];
          let previous = 0;
          let maxRows = 0;
          for (let i = 0; i < count; i++) {
            const t = await new Promise<number>((resolve) => w.requestAnimationFrame(resolve));
            if (previous) times.push(t - previous);
            previous = t;
            scroller.scrollTop += step;
            maxRows = Math.max(maxRows, log.querySelectorAll('.chat__row').length);
          }
          times.sort((a, b) => a - b);
          return { p50: times[Math.floor(times.length / 2)]!, p95: times[Math.floor(times.length * 0.95)]!, maxRows };
        },
        { step, count },
      );
    const brisk = await scrollFrames(100, 90);
    const frames = await scrollFrames(1500, 60);
    process.stdout.write(
      `[virtual log] jump 9,970 back: ${jumpMs} ms; rows known ${state.total}, in DOM ${state.domRows}; ` +
        `scroll frames at 100 px/frame p50 ${brisk.p50.toFixed(1)} ms, p95 ${brisk.p95.toFixed(1)} ms; ` +
        `at 1,500 px/frame p50 ${frames.p50.toFixed(1)} ms, p95 ${frames.p95.toFixed(1)} ms, max rows ${frames.maxRows}\n`,
    );
    expect(Math.max(brisk.maxRows, frames.maxRows)).toBeLessThanOrEqual(MAX_DOM_ROWS);
    expect(unexpectedErrors({ page, errors, close: async () => {} })).toEqual([]);
  }, 240_000);

  it('opens a link to a message (as from a search hit) at that message', async () => {
    const { page, errors } = await openRoom(`#message-${midMessage.id}`);
    await expect
      .poll(() => placeOf(page, midMessage.id), { timeout: 150_000, interval: 250 })
      .toMatchObject({ inView: true, highlighted: true });
    expect((await logState(page)).domRows).toBeLessThanOrEqual(MAX_DOM_ROWS);
    expect(unexpectedErrors({ page, errors, close: async () => {} })).toEqual([]);
  }, 240_000);

  it('searches past the first page of hits: "More results" adds the next ones, none twice', async () => {
    const { page, errors } = await openRoom();
    await page.getByRole('link', { name: 'Search messages' }).click();
    const box = page.getByRole('searchbox', { name: 'Search messages' });
    await box.fill('history');
    await box.press('Enter');
    const hits = page.getByRole('list', { name: 'Search results' }).locator('.search-hit');
    await expect.poll(() => hits.count(), { timeout: UI_TIMEOUT_MS }).toBe(30);
    await page.getByText('30 messages found so far; there are more.').waitFor();
    await page.getByRole('button', { name: 'More results' }).click();
    await expect.poll(() => hits.count(), { timeout: UI_TIMEOUT_MS }).toBe(60);
    const ids = await hits.evaluateAll((els) => els.map((el) => el.getAttribute('data-message-id')));
    expect(new Set(ids).size).toBe(60);
    expect(unexpectedErrors({ page, errors, close: async () => {} })).toEqual([]);
  }, 120_000);
  it('keeps messages coming live, in order and none missing, as the room fills its segment and starts the next', async () => {
    const { page, errors } = await openRoom();
    const log = messageLog(page, ROOM.name);
    await log.locator('article.msg').first().waitFor({ timeout: UI_TIMEOUT_MS });
    const { rows } = await db.query<{ last_seq: number }>('SELECT last_seq FROM channels WHERE id = $1', [general]);
    const lastOfHead = (Math.floor(rows[0]!.last_seq / SEGMENT_SIZE) + 1) * SEGMENT_SIZE;
    // The head segment fills up to five short of its end (written behind the server's back, as another
    // node would: its catch-up brings them), so the member's device takes the next segment ahead.
    await fillChannelHistory(db, general, historian.id, lastOfHead - 5 - rows[0]!.last_seq);
    await log
      .locator('article.msg', { hasText: `history message ${lastOfHead - 5}` })
      .waitFor({ timeout: UI_TIMEOUT_MS });

    const writer = await createMember(db, 'boundary-writer');
    const device = await openDevice(writer);
    // Ten messages: five close the head segment, five open the next one.
    for (let i = 1; i <= 10; i++) device.intent({ kind: 'send', channelId: general, body: `across the boundary ${i}` });
    const crossed = log.locator('article.msg', { hasText: /across the boundary \d+/ });
    await expect.poll(() => crossed.count(), { timeout: UI_TIMEOUT_MS }).toBe(10);
    const order = await crossed.evaluateAll((els) =>
      els.map((el) => ({
        seq: Number(el.getAttribute('data-seq')),
        n: Number(/boundary (\d+)/.exec(el.textContent ?? '')?.[1]),
      })),
    );
    expect(order.map((m) => m.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(order.map((m) => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => lastOfHead - 4 + i));
    expect((await logState(page)).gaps).toBe(0);
    expect(unexpectedErrors({ page, errors, close: async () => {} })).toEqual([]);
  }, 120_000);
});
