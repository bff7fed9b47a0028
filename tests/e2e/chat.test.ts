import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  confirmed,
  confirmedBodies,
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

interface Room {
  slug: string;
  name: string;
}
const GENERAL: Room = { slug: 'general', name: 'General Chat' };
const NEWCOMERS: Room = { slug: 'newcomers', name: 'Newcomers Welcome' };
const PROMPTS: Room = { slug: 'prompt-engineering', name: 'Prompt Engineering' };

/** Opens a room as a member: signs in on its address and waits until the conversation is live. */
async function joinRoom(
  room: Room,
  handle: string,
  displayName: string,
  options: { viewport?: ViewportName; colorScheme?: 'light' | 'dark' } = {},
): Promise<OpenedPage> {
  const opened = await openPage(browser, {
    viewport: options.viewport ?? 'desktop',
    colorScheme: options.colorScheme ?? 'light',
  });
  const { page } = opened;
  await page.goto(`${server.url}/lounge/${room.slug}`);
  await submitDemoSignIn(page, handle, displayName);
  await composer(page, room).waitFor({ timeout: UI_TIMEOUT_MS });
  await waitOnline(page);
  return opened;
}

async function send(page: Page, room: Room, text: string): Promise<void> {
  const box = composer(page, room);
  await box.fill(text);
  await box.press('Enter');
}

/**
 * Shows a message's action bar. It appears on hover and while focus is inside the message; focus is what
 * the test holds on to (the list may scroll under a still mouse when a reply bar or a message appears).
 */
async function actionsOf(message: Locator): Promise<Locator> {
  await message.focus();
  return message.getByRole('toolbar');
}

describe('members chat in a Lounge room', () => {
  it('two members see the same conversation live: order, a reaction, a reply, typing and presence', async () => {
    const ada = await joinRoom(GENERAL, 'chat_ada', 'Ada Lovelace');
    const grace = await joinRoom(GENERAL, 'chat_grace', 'Grace Hopper');
    try {
      // Presence: each sees the other in the room's online list, with names the server stamped.
      await ada.page.locator('.online-panel').getByText('Grace Hopper').waitFor({ timeout: LIVE_TIMEOUT_MS });
      await grace.page.locator('.online-panel').getByText('Ada Lovelace').waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect
        .poll(() => ada.page.locator('.chip--online').innerText(), { timeout: LIVE_TIMEOUT_MS })
        .toBe('2 online');

      // Typing: Grace types, Ada sees it; sending ends it.
      await composer(grace.page, GENERAL).pressSequentially('Hello', { delay: 30 });
      await ada.page.getByText('Grace Hopper is typing…').waitFor({ timeout: LIVE_TIMEOUT_MS });

      // Both write at once; the server's order is the order on both screens.
      const lines = ['Ada says one', 'Grace says one', 'Ada says two', 'Grace says two'];
      await Promise.all([
        (async () => {
          await send(ada.page, GENERAL, lines[0]!);
          await send(ada.page, GENERAL, lines[2]!);
        })(),
        (async () => {
          await composer(grace.page, GENERAL).fill('');
          await send(grace.page, GENERAL, lines[1]!);
          await send(grace.page, GENERAL, lines[3]!);
        })(),
      ]);
      for (const { page } of [ada, grace]) {
        await expect.poll(() => confirmedBodies(page, GENERAL), { timeout: LIVE_TIMEOUT_MS }).toHaveLength(4);
        await expect.poll(() => pending(page, GENERAL).count(), { timeout: LIVE_TIMEOUT_MS }).toBe(0);
      }
      const adaOrder = await confirmedBodies(ada.page, GENERAL);
      expect([...adaOrder].sort()).toEqual([...lines].sort());
      expect(await confirmedBodies(grace.page, GENERAL)).toEqual(adaOrder);
      const seqs = await confirmed(ada.page, GENERAL).evaluateAll((els) =>
        els.map((el) => Number(el.getAttribute('data-seq'))),
      );
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      await expect
        .poll(() => ada.page.getByText('Grace Hopper is typing…').count(), { timeout: LIVE_TIMEOUT_MS })
        .toBe(0);

      // Grace reacts to Ada's first message; Ada sees the reaction, counted and not marked as hers.
      const onGrace = messageWithText(grace.page, GENERAL, 'Ada says one');
      await (await actionsOf(onGrace)).getByRole('button', { name: 'Add reaction' }).click();
      await grace.page
        .getByRole('group', { name: 'Choose a reaction' })
        .getByRole('button', { name: 'React with party' })
        .click();
      const reactionOnAda = messageWithText(ada.page, GENERAL, 'Ada says one').locator(
        'button.reaction[data-emoji="🎉"]',
      );
      await reactionOnAda.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await reactionOnAda.innerText()).toContain('1');
      expect(await reactionOnAda.getAttribute('aria-pressed')).toBe('false');
      // Ada adds hers by pressing the same reaction: two, and pressed for her.
      await reactionOnAda.click();
      await expect.poll(() => reactionOnAda.getAttribute('aria-pressed'), { timeout: LIVE_TIMEOUT_MS }).toBe('true');
      const reactionOnGrace = onGrace.locator('button.reaction[data-emoji="🎉"]');
      await expect.poll(() => reactionOnGrace.innerText(), { timeout: LIVE_TIMEOUT_MS }).toContain('2');

      // Ada replies to Grace's first message; Grace sees the quote and can jump to the original.
      const original = messageWithText(ada.page, GENERAL, 'Grace says one');
      await (await actionsOf(original)).getByRole('button', { name: 'Reply' }).click();
      await ada.page.getByText('Replying to').waitFor({ timeout: UI_TIMEOUT_MS });
      await send(ada.page, GENERAL, 'Ada answers Grace');
      const reply = messageWithText(grace.page, GENERAL, 'Ada answers Grace');
      await reply.waitFor({ timeout: LIVE_TIMEOUT_MS });
      const quote = reply.getByRole('button', { name: /Replying to Grace Hopper Grace says one/ });
      await quote.click();
      const originalOnGrace = messageWithText(grace.page, GENERAL, 'Grace says one');
      await expect.poll(() => originalOnGrace.evaluate((el) => el.matches(':focus'))).toBe(true);

      expect(unexpectedErrors(ada)).toEqual([]);
      expect(unexpectedErrors(grace)).toEqual([]);

      // Screenshots of a lived-in room: Grace is typing, the conversation has a reaction and a reply.
      await composer(grace.page, GENERAL).pressSequentially('One more thing', { delay: 20 });
      await ada.page.getByText('Grace Hopper is typing…').waitFor({ timeout: LIVE_TIMEOUT_MS });
      for (const viewport of ['desktop', 'phone'] as const) {
        for (const colorScheme of ['light', 'dark'] as const) {
          await ada.page.setViewportSize(
            viewport === 'phone' ? { width: 390, height: 844 } : { width: 1280, height: 800 },
          );
          await ada.page.emulateMedia({ colorScheme });
          await ada.page.mouse.move(0, 0);
          await composer(ada.page, GENERAL).fill('');
          // The view must fit the phone's width: nothing scrolls sideways.
          expect(
            await ada.page.evaluate<boolean>(
              'document.documentElement.scrollWidth <= document.documentElement.clientWidth',
            ),
          ).toBe(true);
          await ada.page.screenshot({ path: join(SCREENSHOT_DIR, `chat-room-${viewport}-${colorScheme}.png`) });
        }
      }
      // Replying, with the reaction picker open on another message (keyboard: Escape closes it).
      await ada.page.setViewportSize({ width: 1280, height: 800 });
      await ada.page.emulateMedia({ colorScheme: 'light' });
      await (
        await actionsOf(messageWithText(ada.page, GENERAL, 'Grace says two'))
      )
        .getByRole('button', { name: 'Reply' })
        .click();
      const target = messageWithText(ada.page, GENERAL, 'Ada says two');
      await (await actionsOf(target)).getByRole('button', { name: 'Add reaction' }).click();
      await ada.page.getByRole('group', { name: 'Choose a reaction' }).waitFor();
      await ada.page.screenshot({ path: join(SCREENSHOT_DIR, 'chat-actions-desktop-light.png') });
      await ada.page.keyboard.press('Escape');
      await expect.poll(() => ada.page.getByRole('group', { name: 'Choose a reaction' }).count()).toBe(0);
      expect(unexpectedErrors(ada)).toEqual([]);
    } finally {
      await ada.close();
      await grace.close();
    }
  });

  it('a member offline keeps the app, the room and the outbox; back online, exactly three messages arrive in order', async () => {
    const ada = await joinRoom(NEWCOMERS, 'offline_ada', 'Ada Offline');
    const bob = await joinRoom(NEWCOMERS, 'offline_bob', 'Bob Online');
    const { page } = ada;
    const context = page.context();
    const lines = ['Written offline one', 'Written offline two', 'Written offline three'];
    try {
      await send(page, NEWCOMERS, 'Sent while online');
      await messageWithText(page, NEWCOMERS, 'Sent while online').waitFor({ timeout: LIVE_TIMEOUT_MS });
      // The service worker has cached the app shell before the network goes away.
      expect(await offlineReady(page)).toBe(true);

      await context.setOffline(true);
      await expect
        .poll(() => page.locator('.connection').getAttribute('data-state'), { timeout: UI_TIMEOUT_MS })
        .toBe('offline');

      // Reloading offline: the shell comes from the service worker, the session from local storage,
      // the room list and its messages from this device's replica.
      const reloaded = await page.reload({ timeout: UI_TIMEOUT_MS });
      expect(reloaded?.fromServiceWorker()).toBe(true);
      await composer(page, NEWCOMERS).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page.getByTestId('member-name').innerText()).toBe('Ada Offline');
      await messageWithText(page, NEWCOMERS, 'Sent while online').waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page.getByRole('status').filter({ hasText: 'Offline' }).count()).toBe(1);

      for (const line of lines) await send(page, NEWCOMERS, line);
      await expect.poll(() => pending(page, NEWCOMERS).count()).toBe(3);
      expect(await pending(page, NEWCOMERS).locator('.msg__body').allInnerTexts()).toEqual(lines);
      expect(await pending(page, NEWCOMERS).last().innerText()).toContain('Waiting for connection');
      expect(await page.getByTestId('pending-count').innerText()).toContain('3');

      // A draft, written offline and kept per room.
      await composer(page, NEWCOMERS).fill('A draft written offline');
      await page.waitForTimeout(600);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'chat-offline-desktop-light.png') });

      // The outbox and the draft survive another reload without network.
      await page.reload({ timeout: UI_TIMEOUT_MS });
      await composer(page, NEWCOMERS).waitFor({ timeout: UI_TIMEOUT_MS });
      await expect.poll(() => pending(page, NEWCOMERS).count(), { timeout: UI_TIMEOUT_MS }).toBe(3);
      await expect
        .poll(() => composer(page, NEWCOMERS).inputValue(), { timeout: UI_TIMEOUT_MS })
        .toBe('A draft written offline');
      expect(await bob.page.getByText('Written offline one').count()).toBe(0);

      // Signing out now would wipe the outbox: Lounge asks first, and staying keeps everything.
      await page.getByRole('button', { name: 'Sign out' }).click();
      const ask = page.getByRole('dialog', { name: 'Sign out?' });
      await ask.waitFor({ timeout: UI_TIMEOUT_MS });
      await ask
        .getByText('3 messages you wrote have not been sent yet: Lounge is offline.', { exact: false })
        .waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);
      await ask.getByRole('button', { name: 'Stay signed in' }).click();
      await expect.poll(() => ask.count()).toBe(0);
      expect(await page.getByTestId('member-name').innerText()).toBe('Ada Offline');

      await context.setOffline(false);
      await waitOnline(page);
      const expected = ['Sent while online', ...lines];
      for (const p of [page, bob.page]) {
        await expect.poll(() => confirmedBodies(p, NEWCOMERS), { timeout: LIVE_TIMEOUT_MS }).toEqual(expected);
      }
      await expect.poll(() => pending(page, NEWCOMERS).count(), { timeout: LIVE_TIMEOUT_MS }).toBe(0);

      // Nothing doubles after a reload on either side; the draft is still there.
      await Promise.all([page.reload({ timeout: UI_TIMEOUT_MS }), bob.page.reload({ timeout: UI_TIMEOUT_MS })]);
      for (const p of [page, bob.page]) {
        await composer(p, NEWCOMERS).waitFor({ timeout: UI_TIMEOUT_MS });
        await waitOnline(p);
        await expect.poll(() => confirmedBodies(p, NEWCOMERS), { timeout: LIVE_TIMEOUT_MS }).toEqual(expected);
        expect(await pending(p, NEWCOMERS).count()).toBe(0);
      }
      await expect.poll(() => composer(page, NEWCOMERS).inputValue()).toBe('A draft written offline');

      // The draft lives in the member's private doc, so their other device has it too.
      const otherDevice = await joinRoom(NEWCOMERS, 'offline_ada', 'Ada Offline', { viewport: 'phone' });
      try {
        await expect
          .poll(() => composer(otherDevice.page, NEWCOMERS).inputValue(), { timeout: LIVE_TIMEOUT_MS })
          .toBe('A draft written offline');
        // The room syncs beside the private doc on a new device: its messages may land just after the draft.
        await expect
          .poll(() => confirmedBodies(otherDevice.page, NEWCOMERS), { timeout: LIVE_TIMEOUT_MS })
          .toEqual(expected);
      } finally {
        await otherDevice.close();
      }
      expect(unexpectedErrors(ada)).toEqual([]);
      expect(unexpectedErrors(bob)).toEqual([]);
    } finally {
      await ada.close();
      await bob.close();
    }
  });

  it('a message in another room shows in the room list as unread once the member is back online; opening the room reads it for good', async () => {
    const ada = await joinRoom(GENERAL, 'unread_ada', 'Ada Unread');
    const bob = await joinRoom(PROMPTS, 'unread_bob', 'Bob Elsewhere');
    const { page } = ada;
    const promptsItem = page.locator(`a.room-item__link[data-room-slug="${PROMPTS.slug}"]`);
    const unreadIn = async () => {
      const badge = promptsItem.getByRole('img', { name: /unread$/ });
      return (await badge.count()) === 0 ? 0 : Number.parseInt((await badge.getAttribute('aria-label')) ?? '0', 10);
    };
    try {
      // Whatever the room held before (other tests write there too), Ada reads it first.
      await promptsItem.click();
      await composer(page, PROMPTS).waitFor({ timeout: UI_TIMEOUT_MS });
      await page.locator(`a.room-item__link[data-room-slug="${GENERAL.slug}"]`).click();
      await composer(page, GENERAL).waitFor({ timeout: UI_TIMEOUT_MS });
      await expect.poll(unreadIn, { timeout: UI_TIMEOUT_MS }).toBe(0);

      // Ada has the room's pinned messages open beside the conversation while this happens.
      await page.getByRole('button', { name: /^Pinned/ }).click();
      const panel = page.getByRole('complementary', { name: 'Pinned messages' });
      await panel.waitFor({ timeout: UI_TIMEOUT_MS });

      // Bob writes while Ada's connection is down; back online, her list counts the message.
      await page.context().setOffline(true);
      await expect
        .poll(() => page.locator('.connection').getAttribute('data-state'), { timeout: UI_TIMEOUT_MS })
        .toBe('offline');
      await send(bob.page, PROMPTS, 'A prompt pattern worth sharing');
      await messageWithText(bob.page, PROMPTS, 'A prompt pattern worth sharing').waitFor({ timeout: LIVE_TIMEOUT_MS });
      await page.context().setOffline(false);
      await waitOnline(page);
      await expect.poll(unreadIn, { timeout: LIVE_TIMEOUT_MS }).toBe(1);
      // The list's new answer did not reopen the room she is in: the panel is still there.
      expect(await panel.count()).toBe(1);

      // She opens it and goes back: the count stays gone (her read marker, not a stale answer, decides).
      await promptsItem.click();
      await messageWithText(page, PROMPTS, 'A prompt pattern worth sharing').waitFor({ timeout: LIVE_TIMEOUT_MS });
      await page.locator(`a.room-item__link[data-room-slug="${GENERAL.slug}"]`).click();
      await composer(page, GENERAL).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await unreadIn()).toBe(0);
      expect(unexpectedErrors(ada)).toEqual([]);
    } finally {
      await ada.close();
      await bob.close();
    }
  });

  it('back in a room, a "New" line marks where the unread messages begin, and the room opens there', async () => {
    const bob = await joinRoom(NEWCOMERS, 'newline_bob', 'Bob Busy');
    const ada = await joinRoom(GENERAL, 'newline_ada', 'Ada Away');
    const { page } = ada;
    const roomLink = (room: Room) => page.locator(`a.room-item__link[data-room-slug="${room.slug}"]`);
    const newLine = page.getByRole('separator', { name: 'New messages since you last read' });
    try {
      await send(bob.page, NEWCOMERS, 'Welcome aboard, everyone');
      // Ada reads the room, then leaves it for another (leaving marks it read at once).
      await roomLink(NEWCOMERS).click();
      await messageWithText(page, NEWCOMERS, 'Welcome aboard, everyone').waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await newLine.count()).toBe(0);
      await roomLink(GENERAL).click();
      await composer(page, GENERAL).waitFor({ timeout: UI_TIMEOUT_MS });

      // Bob writes more than a screen while she is away (long notes: a new member may send 10 a minute).
      const filler =
        'Here is a longer catch-up note so that a handful of them fill more than one screen of the room. '.repeat(3);
      const notes = Array.from({ length: 8 }, (_, i) => `Catch-up note ${i + 1}. ${filler}`.trim());
      for (const note of notes) await send(bob.page, NEWCOMERS, note);
      await messageWithText(bob.page, NEWCOMERS, notes.at(-1)!).waitFor({ timeout: LIVE_TIMEOUT_MS });

      await roomLink(NEWCOMERS).click();
      await messageWithText(page, NEWCOMERS, notes.at(-1)!).waitFor({ timeout: LIVE_TIMEOUT_MS });
      await newLine.waitFor({ timeout: UI_TIMEOUT_MS });
      // The line sits between what she read and the first note, and the room opened with it on screen.
      const lineBox = await newLine.boundingBox();
      const readBox = await messageWithText(page, NEWCOMERS, 'Welcome aboard, everyone').boundingBox();
      const firstNew = await messageWithText(page, NEWCOMERS, notes[0]!).boundingBox();
      expect(readBox!.y).toBeLessThan(lineBox!.y);
      expect(lineBox!.y).toBeLessThan(firstNew!.y);
      const logBox = await messageLog(page, NEWCOMERS).boundingBox();
      await expect
        .poll(async () => {
          const box = await newLine.boundingBox();
          return box !== null && box.y >= logBox!.y && box.y + box.height <= logBox!.y + logBox!.height;
        })
        .toBe(true);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'chat-new-line-desktop-light.png') });

      // Read now: the next visit opens without the line.
      await roomLink(GENERAL).click();
      await composer(page, GENERAL).waitFor({ timeout: UI_TIMEOUT_MS });
      await roomLink(NEWCOMERS).click();
      await messageWithText(page, NEWCOMERS, notes.at(-1)!).waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await newLine.count()).toBe(0);
      expect(unexpectedErrors(ada)).toEqual([]);
    } finally {
      await ada.close();
      await bob.close();
    }
  });

  it('renders HTML in a message as text (nothing in it runs); edits and deletes show on every screen', async () => {
    const mallory = await joinRoom(PROMPTS, 'html_mallory', 'Mallory');
    const reader = await joinRoom(PROMPTS, 'html_reader', 'Reader');
    const payload = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> <b>bold?</b>';
    try {
      await send(mallory.page, PROMPTS, payload);
      for (const { page } of [mallory, reader]) {
        const message = messageWithText(page, PROMPTS, 'bold?');
        await message.waitFor({ timeout: LIVE_TIMEOUT_MS });
        expect((await message.locator('.msg__body').innerText()).trim()).toBe(payload);
        expect(await message.locator('.msg__body script, .msg__body img, .msg__body b').count()).toBe(0);
        expect(await page.locator('main img').count()).toBe(0);
        expect(await page.evaluate<unknown>('window.__pwned')).toBeUndefined();
      }

      // Edited and deleted messages say so on every screen.
      // The row is found by its id: while it is being edited its body is the editor.
      const id = await messageWithText(mallory.page, PROMPTS, 'bold?').getAttribute('data-message-id');
      const own = messageLog(mallory.page, PROMPTS).locator(`article.msg[data-message-id="${id}"]`);
      await (await actionsOf(own)).getByRole('button', { name: 'Edit message' }).click();
      const editor = own.getByRole('textbox', { name: 'Edit message' });
      await editor.fill('Thought better of it');
      await editor.press('Enter');
      const edited = messageWithText(reader.page, PROMPTS, 'Thought better of it');
      await edited.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await edited.locator('.msg__edited').innerText()).toContain('edited');
      await (await actionsOf(own)).getByRole('button', { name: 'Delete message' }).click();
      await own.getByRole('group', { name: 'Confirm delete' }).getByRole('button', { name: 'Delete' }).click();
      for (const { page } of [mallory, reader]) {
        await messageLog(page, PROMPTS).getByText('Message deleted').waitFor({ timeout: LIVE_TIMEOUT_MS });
        expect(await page.getByText('Thought better of it').count()).toBe(0);
      }
      expect(unexpectedErrors(mallory)).toEqual([]);
      expect(unexpectedErrors(reader)).toEqual([]);
    } finally {
      await mallory.close();
      await reader.close();
    }
  });

  it('messages past the rate limit wait and go out by themselves; a refused one can be edited back or discarded', async () => {
    const eager = await joinRoom(PROMPTS, 'eager_writer', 'Eager Writer', { viewport: 'phone', colorScheme: 'dark' });
    const { page } = eager;
    try {
      // The community allows 10 messages a minute: the 11th and 12th are held, not refused.
      for (let i = 1; i <= 12; i++) await send(page, PROMPTS, `Message number ${i}`);
      await expect
        .poll(() => confirmed(page, PROMPTS).count(), { timeout: LIVE_TIMEOUT_MS })
        .toBeGreaterThanOrEqual(10);
      const held = messageLog(page, PROMPTS).getByRole('group', { name: 'Message held back' });
      await held.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await held.innerText()).toMatch(
        /The community allows 10 messages a minute and 100 an hour\. These 2 go out by themselves as the limit allows, the first in \d+ s\./,
      );
      expect(await pending(page, PROMPTS).locator('.msg__body').allInnerTexts()).toEqual([
        'Message number 11',
        'Message number 12',
      ]);
      expect(await messageLog(page, PROMPTS).locator('article.msg[data-status="failed"]').count()).toBe(0);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'chat-held-phone-dark.png') });
      // The member takes the last one back; the other goes out by itself once the minute has passed.
      await held.getByRole('button', { name: "Don't send the last" }).click();
      await expect.poll(() => pending(page, PROMPTS).count()).toBe(1);
      await messageWithText(page, PROMPTS, 'Message number 11').waitFor({ timeout: 75_000 });
      await expect.poll(() => pending(page, PROMPTS).count(), { timeout: LIVE_TIMEOUT_MS }).toBe(0);
      expect(await messageWithText(page, PROMPTS, 'Message number 12').count()).toBe(0);

      // A refusal no waiting can pass (a new member's link): the reason, no Retry; Edit brings it back.
      await send(page, PROMPTS, 'See https://example.com/guide for more');
      const refused = messageLog(page, PROMPTS).locator('article.msg[data-status="failed"]');
      await expect.poll(() => refused.count(), { timeout: LIVE_TIMEOUT_MS }).toBe(1);
      expect(await refused.first().innerText()).toMatch(/Not sent: .*links/i);
      expect(await refused.first().getByRole('button', { name: 'Retry' }).count()).toBe(0);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'chat-refused-phone-dark.png') });
      await refused.first().getByRole('button', { name: 'Edit' }).click();
      await expect.poll(() => composer(page, PROMPTS).inputValue()).toBe('See https://example.com/guide for more');
      await expect.poll(() => refused.count()).toBe(0);
      await send(page, PROMPTS, 'Another https://example.com/link');
      await expect.poll(() => refused.count(), { timeout: LIVE_TIMEOUT_MS }).toBe(1);
      await refused.first().getByRole('button', { name: 'Discard' }).click();
      await expect.poll(() => refused.count()).toBe(0);
      expect(await pending(page, PROMPTS).count()).toBe(0);
      expect(unexpectedErrors(eager)).toEqual([]);
    } finally {
      await eager.close();
    }

    // A member who never met the author (no presence, nothing cached) gets the name from the server.
    const late = await joinRoom(PROMPTS, 'late_reader', 'Late Reader');
    try {
      const authored = messageWithText(late.page, PROMPTS, 'Message number 10');
      await authored.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect
        .poll(() => late.page.locator('.msg__author', { hasText: 'Eager Writer' }).count(), {
          timeout: LIVE_TIMEOUT_MS,
        })
        .toBeGreaterThan(0);

      // A new member's link is refused whenever it is sent: no Retry, only Edit or Discard.
      await send(late.page, PROMPTS, 'my notes: https://example.org/notes');
      const refusedLink = messageLog(late.page, PROMPTS).locator('article.msg[data-status="failed"]');
      await refusedLink.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await refusedLink.innerText()).toMatch(/Not sent: .*links/);
      expect(await refusedLink.getByRole('button', { name: 'Retry' }).count()).toBe(0);
      expect(await refusedLink.getByRole('button', { name: 'Edit' }).count()).toBe(1);
      expect(unexpectedErrors(late)).toEqual([]);
    } finally {
      await late.close();
    }
  });
});
