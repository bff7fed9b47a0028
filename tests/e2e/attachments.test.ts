import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, seriousAxeViolations, type OpenedPage } from '../support/browser.ts';
import {
  offlineReady,
  composer,
  messageWithText,
  submitDemoSignIn,
  UI_TIMEOUT_MS,
  unexpectedErrors,
  waitOnline,
  LIVE_TIMEOUT_MS,
  SCREENSHOT_DIR,
  confirmed,
  confirmedBodies,
} from '../support/chat-ui.ts';
import { solidPng } from '../support/png.ts';
import type { ServerProcess } from '../support/server-process.ts';
import { startPreparedServer } from '../support/prepared-server.ts';

const GENERAL = { slug: 'general', name: 'General Chat' };
/** Members for weeks, with messages behind them: new members may not share files (spec). */
const ADA = { handle: 'files_ada', name: 'Ada Files' };
const BEN = { handle: 'files_ben', name: 'Ben Files' };
/** Signed up today. */
const NEWT = { handle: 'files_newt', name: 'Newt Newcomer' };
/** General Chat's moderator. */
const MIA = { handle: 'files_mia', name: 'Mia Moderator' };

const SCREENSHOT = solidPng(320, 200, [220, 60, 60]);
const TRACE = 'Traceback (most recent call last):\n  File "main.py", line 12, in <module>\nKeyError: \'user\'\n';

let server: ServerProcess;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'lounge-e2e-files-'));
  // The embedded default (files in the data folder). Ada and Ben exist after a first start; with the
  // server stopped their accounts are aged, then it starts again over the same data.
  ({ server } = await startPreparedServer({ dataDir }, [ADA, BEN, MIA], async (db, [adaId, benId, miaId]) => {
    await db.query(`UPDATE users SET joined_at = now() - interval '30 days', messages_sent = 60 WHERE id = ANY($1)`, [
      [adaId, benId],
    ]);
    await db.query(
      `INSERT INTO room_memberships (room_id, user_id, role) SELECT id, $1, 'moderator' FROM rooms WHERE slug = 'general'`,
      [miaId],
    );
  }));
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function joinGeneral(member: { handle: string; name: string }): Promise<OpenedPage> {
  const opened = await openPage(browser, { viewport: 'desktop', acceptDownloads: true });
  await opened.page.goto(`${server.url}/lounge/${GENERAL.slug}`);
  await submitDemoSignIn(opened.page, member.handle, member.name);
  await composer(opened.page, GENERAL).waitFor({ timeout: UI_TIMEOUT_MS });
  await waitOnline(opened.page);
  return opened;
}

const fileChips = (page: Page) => page.getByRole('list', { name: 'Files to send' }).getByRole('listitem');
const sendButton = (page: Page) => page.getByRole('button', { name: 'Send message' });

/** Picks files with the composer's "Attach files" button, as a member does from the file dialog. */
async function attach(page: Page, files: Array<{ name: string; mimeType: string; buffer: Buffer }>): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles(files);
}

/**
 * The width an image in the page was decoded at: 0 until its bytes arrived and decoded.
 */
const drawn = (page: Page, alt: string) =>
  page
    .locator(`img[alt="${alt}"]`)
    .first()
    .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);

describe('files on messages', () => {
  it('a screenshot and a log file sent by Ada reach Ben: the image drawn at its size, the log downloadable', async () => {
    const ada = await joinGeneral(ADA);
    const ben = await joinGeneral(BEN);
    try {
      await attach(ada.page, [
        { name: 'bug.png', mimeType: 'image/png', buffer: SCREENSHOT },
        { name: 'trace.log', mimeType: 'text/plain', buffer: Buffer.from(TRACE) },
      ]);
      await expect.poll(() => fileChips(ada.page).count(), { timeout: UI_TIMEOUT_MS }).toBe(2);
      // Uploads start at once; Send waits for them.
      await expect
        .poll(() => fileChips(ada.page).evaluateAll((items) => items.map((i) => i.getAttribute('data-state'))), {
          timeout: UI_TIMEOUT_MS,
        })
        .toEqual(['ready', 'ready']);
      await composer(ada.page, GENERAL).fill('Here is what I get when I run it');
      await composer(ada.page, GENERAL).press('Enter');
      expect(await fileChips(ada.page).count()).toBe(0);

      const onBen = messageWithText(ben.page, GENERAL, 'Here is what I get when I run it');
      await onBen.waitFor({ timeout: LIVE_TIMEOUT_MS });
      const image = onBen.getByRole('link', { name: 'Open image bug.png full size' });
      await image.waitFor({ timeout: UI_TIMEOUT_MS });
      // Laid out at its own proportions before and after its bytes arrive: 320 × 200.
      const box = await image.boundingBox();
      expect([Math.round(box!.width), Math.round(box!.height)]).toEqual([320, 200]);
      await expect.poll(() => drawn(ben.page, 'bug.png'), { timeout: UI_TIMEOUT_MS }).toBe(320);
      await expect.poll(() => drawn(ada.page, 'bug.png'), { timeout: UI_TIMEOUT_MS }).toBe(320);

      // Opening it shows it full size in the app, over the conversation; Escape goes back.
      await image.click();
      const viewer = ben.page.getByRole('dialog', { name: 'Image: bug.png' });
      await viewer.waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await viewer.innerText()).toContain('320 × 200');
      expect(await viewer.getByRole('link', { name: 'Download' }).getAttribute('download')).toBe('bug.png');
      expect(await seriousAxeViolations(ben.page)).toEqual([]);
      await ben.page.screenshot({ path: join(SCREENSHOT_DIR, 'image-viewer-desktop.png') });
      await ben.page.keyboard.press('Escape');
      await expect.poll(() => viewer.isVisible()).toBe(false);

      const card = onBen.getByRole('link', { name: /trace\.log/ });
      await expect.poll(() => card.innerText()).toContain(`Text · ${Buffer.byteLength(TRACE)} bytes`);
      const download = ben.page.waitForEvent('download');
      await card.click();
      const saved = await download;
      expect(saved.suggestedFilename()).toBe('trace.log');
      expect(await readFile((await saved.path())!, 'utf8')).toBe(TRACE);

      expect(await seriousAxeViolations(ben.page)).toEqual([]);
      await ben.page.screenshot({ path: join(SCREENSHOT_DIR, 'attachments-desktop.png') });
      expect(unexpectedErrors(ada)).toEqual([]);
      expect(unexpectedErrors(ben)).toEqual([]);
    } finally {
      await ada.close();
      await ben.close();
    }
  });

  it('on a phone a wide screenshot is scaled down whole, and the composer with files passes an accessibility scan', async () => {
    const ada = await openPage(browser, { viewport: 'phone' });
    try {
      await ada.page.goto(`${server.url}/lounge/${GENERAL.slug}`);
      await submitDemoSignIn(ada.page, ADA.handle, ADA.name);
      await composer(ada.page, GENERAL).waitFor({ timeout: UI_TIMEOUT_MS });
      await waitOnline(ada.page);
      await attach(ada.page, [{ name: 'wide.png', mimeType: 'image/png', buffer: solidPng(1200, 600) }]);
      await expect.poll(() => fileChips(ada.page).getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('ready');
      expect(await seriousAxeViolations(ada.page)).toEqual([]);
      await composer(ada.page, GENERAL).fill('on my phone');
      await composer(ada.page, GENERAL).press('Enter');
      const sent = messageWithText(ada.page, GENERAL, 'on my phone');
      await sent.waitFor({ timeout: LIVE_TIMEOUT_MS });
      const box = await sent.getByRole('link', { name: 'Open image wide.png full size' }).boundingBox();
      // Shown at most 360 wide, 2:1 like the picture, and never wider than the screen.
      expect(box!.width).toBeLessThanOrEqual(360);
      expect(Math.abs(box!.width / box!.height - 2)).toBeLessThan(0.05);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      await ada.page.screenshot({ path: join(SCREENSHOT_DIR, 'attachments-phone.png') });
    } finally {
      await ada.close();
    }
  });

  it('a pasted screenshot becomes a file of the message, even sent without words; deleting the message takes it away', async () => {
    const ada = await joinGeneral(ADA);
    const ben = await joinGeneral(BEN);
    try {
      const png = [...solidPng(200, 120, [30, 160, 90])];
      await composer(ada.page, GENERAL).focus();
      // What the browser does when a screenshot is pasted: a paste event whose clipboard holds an image file.
      await ada.page.evaluate(`(() => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(${JSON.stringify(png)})], 'image.png', { type: 'image/png' }));
        document.activeElement.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
        );
      })()`);
      await expect.poll(() => fileChips(ada.page).getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('ready');
      // The pasted image is not text in the box.
      expect(await composer(ada.page, GENERAL).inputValue()).toBe('');
      await sendButton(ada.page).click();

      const pasted = confirmed(ben.page, GENERAL).filter({ has: ben.page.locator('img[alt="image.png"]') });
      await pasted.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect.poll(() => drawn(ben.page, 'image.png'), { timeout: UI_TIMEOUT_MS }).toBe(200);

      // Ada deletes it: on Ben's screen the image goes with the message.
      const mine = confirmed(ada.page, GENERAL).filter({ has: ada.page.locator('img[alt="image.png"]') });
      await mine.focus();
      await mine.getByRole('toolbar').getByRole('button', { name: 'Delete message' }).click();
      await mine.getByRole('group', { name: 'Confirm delete' }).getByRole('button', { name: 'Delete' }).click();
      await expect.poll(() => ben.page.locator('img[alt="image.png"]').count(), { timeout: LIVE_TIMEOUT_MS }).toBe(0);
    } finally {
      await ada.close();
      await ben.close();
    }
  });

  it('a file picked offline uploads by itself when the connection is back, then the message goes', async () => {
    const ada = await joinGeneral(ADA);
    try {
      await ada.page.context().setOffline(true);
      await attach(ada.page, [{ name: 'offline.png', mimeType: 'image/png', buffer: solidPng(40, 40) }]);
      await expect
        .poll(() => fileChips(ada.page).getAttribute('data-state'), { timeout: UI_TIMEOUT_MS })
        .toBe('waiting');
      expect(await fileChips(ada.page).innerText()).toContain('Waiting for connection');

      await ada.page.context().setOffline(false);
      await expect.poll(() => fileChips(ada.page).getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('ready');
      await waitOnline(ada.page);
      await composer(ada.page, GENERAL).fill('made on the train');
      await composer(ada.page, GENERAL).press('Enter');
      const sent = messageWithText(ada.page, GENERAL, 'made on the train');
      await sent.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await sent.locator('.attachment--image img[alt="offline.png"]').waitFor({ timeout: UI_TIMEOUT_MS });
    } finally {
      await ada.close();
    }
  });

  it('a message with a file sent offline waits on the device, survives a reload, and goes when the connection is back', async () => {
    const ada = await joinGeneral(ADA);
    const ben = await joinGeneral(BEN);
    const { page } = ada;
    try {
      // The service worker holds the app shell before the network goes away.
      expect(await offlineReady(page)).toBe(true);
      await page.context().setOffline(true);
      await attach(page, [{ name: 'train.png', mimeType: 'image/png', buffer: solidPng(48, 32) }]);
      await composer(page, GENERAL).fill('Screenshot from the train');
      // Send is not held back by the upload: the message waits with its file.
      expect(await sendButton(page).isDisabled()).toBe(false);
      await composer(page, GENERAL).press('Enter');
      const waiting = page.locator('article.msg[data-intent-id^="deferred:"]');
      await waiting.waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await waiting.innerText()).toContain('train.png');
      expect(await waiting.innerText()).toContain('Waiting for connection · the files upload, then it sends');
      expect(await fileChips(page).count()).toBe(0);
      // Words written after it wait behind it: sent first, they would arrive above the screenshot.
      await composer(page, GENERAL).fill('It is the one with the red error');
      await composer(page, GENERAL).press('Enter');
      await expect.poll(() => waiting.count(), { timeout: UI_TIMEOUT_MS }).toBe(2);
      expect(await waiting.nth(1).innerText()).toContain('Waiting for connection · will send automatically');

      // A reload without network keeps them, file and all.
      await page.reload({ timeout: UI_TIMEOUT_MS });
      await composer(page, GENERAL).waitFor({ timeout: UI_TIMEOUT_MS });
      await expect.poll(() => waiting.count(), { timeout: UI_TIMEOUT_MS }).toBe(2);
      expect(await ben.page.getByText('Screenshot from the train').count()).toBe(0);

      await page.context().setOffline(false);
      const onBen = messageWithText(ben.page, GENERAL, 'Screenshot from the train');
      await onBen.waitFor({ timeout: 30_000 });
      await expect.poll(() => drawn(ben.page, 'train.png'), { timeout: UI_TIMEOUT_MS }).toBe(48);
      await messageWithText(ben.page, GENERAL, 'It is the one with the red error').waitFor({
        timeout: LIVE_TIMEOUT_MS,
      });
      const order = await confirmedBodies(ben.page, GENERAL);
      expect(order.indexOf('Screenshot from the train')).toBeGreaterThanOrEqual(0);
      expect(order.indexOf('Screenshot from the train')).toBeLessThan(
        order.indexOf('It is the one with the red error'),
      );
      await expect
        .poll(() => page.locator('article.msg[data-intent-id^="deferred:"]').count(), { timeout: LIVE_TIMEOUT_MS })
        .toBe(0);
      expect(unexpectedErrors(ada)).toEqual([]);
    } finally {
      await ada.close();
      await ben.close();
    }
  });

  it("a moderator's hide takes the files from members' screens; the moderator still sees them, greyed", async () => {
    const ada = await joinGeneral(ADA);
    const mia = await joinGeneral(MIA);
    try {
      await attach(ada.page, [{ name: 'promo.png', mimeType: 'image/png', buffer: solidPng(120, 80, [250, 200, 0]) }]);
      await expect.poll(() => fileChips(ada.page).getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('ready');
      await composer(ada.page, GENERAL).fill('Cheap followers, see flyer');
      await composer(ada.page, GENERAL).press('Enter');
      const onMia = messageWithText(mia.page, GENERAL, 'Cheap followers');
      await onMia.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await onMia.focus();
      await onMia.getByRole('button', { name: 'More actions' }).click();
      await onMia.getByRole('button', { name: 'Hide message' }).click();
      const form = mia.page.getByRole('form', { name: 'Hide this message' });
      await form.getByLabel(/Reason/).fill('Advertising');
      await form.getByRole('button', { name: 'Hide' }).click();

      await confirmed(ada.page, GENERAL)
        .filter({ hasText: 'Hidden by moderation: Advertising' })
        .waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect.poll(() => ada.page.locator('img[alt="promo.png"]').count(), { timeout: LIVE_TIMEOUT_MS }).toBe(0);
      await mia.page.getByText('Hidden from members: Advertising').waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect.poll(() => drawn(mia.page, 'promo.png'), { timeout: UI_TIMEOUT_MS }).toBe(120);
    } finally {
      await ada.close();
      await mia.close();
    }
  });

  it('in a help room a screenshot alone is not a question: the composer asks for words first', async () => {
    const ada = await joinGeneral(ADA);
    try {
      const coding = { name: 'Coding & Automation' };
      await ada.page.goto(`${server.url}/lounge/coding`);
      await composer(ada.page, coding).waitFor({ timeout: UI_TIMEOUT_MS });
      await attach(ada.page, [{ name: 'stack.png', mimeType: 'image/png', buffer: solidPng(60, 40) }]);
      await expect.poll(() => fileChips(ada.page).getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('ready');
      expect(await sendButton(ada.page).isDisabled()).toBe(true);
      await composer(ada.page, coding).press('Enter');
      await ada.page
        .getByRole('alert')
        .filter({ hasText: 'A question needs some words' })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      await composer(ada.page, coding).fill('Why does my build crash here?');
      await composer(ada.page, coding).press('Enter');
      const question = messageWithText(ada.page, coding, 'Why does my build crash here?');
      await question.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await question.locator('.attachment--image img[alt="stack.png"]').waitFor({ timeout: UI_TIMEOUT_MS });
    } finally {
      await ada.close();
    }
  });

  it('a refused message with a file comes back to the composer with its file, to send again', async () => {
    const ada = await joinGeneral(ADA);
    try {
      await attach(ada.page, [{ name: 'proof.png', mimeType: 'image/png', buffer: solidPng(50, 30) }]);
      await expect.poll(() => fileChips(ada.page).getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('ready');
      // Layer 1 refuses the words; the file was fine.
      await composer(ada.page, GENERAL).fill('you are a fucking idiot');
      await composer(ada.page, GENERAL).press('Enter');
      const refused = ada.page.locator('article.msg[data-status="failed"]');
      await refused.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await refused.innerText()).toContain('proof.png');
      await refused.getByRole('button', { name: 'Edit' }).click();
      await expect.poll(() => composer(ada.page, GENERAL).inputValue()).toBe('you are a fucking idiot');
      expect(await fileChips(ada.page).getAttribute('data-state')).toBe('ready');
      expect(await fileChips(ada.page).innerText()).toContain('proof.png');
      await composer(ada.page, GENERAL).fill('I think you are mistaken, see this');
      await composer(ada.page, GENERAL).press('Enter');
      const sent = messageWithText(ada.page, GENERAL, 'I think you are mistaken, see this');
      await sent.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await sent.locator('.attachment--image img[alt="proof.png"]').waitFor({ timeout: UI_TIMEOUT_MS });
    } finally {
      await ada.close();
    }
  });

  it('a member who joined today is told when they can share files', async () => {
    const newt = await joinGeneral(NEWT);
    try {
      await newt.page.getByRole('button', { name: 'Attach files' }).click();
      await newt.page
        .getByRole('alert')
        .filter({ hasText: 'You can share images and files once you have sent 10 messages' })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await fileChips(newt.page).count()).toBe(0);
    } finally {
      await newt.close();
    }
  });
});
