import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, seriousAxeViolations, type OpenedPage } from '../support/browser.ts';
import {
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
import { startServer, type ServerProcess } from '../support/server-process.ts';

const GENERAL = { slug: 'general', name: 'General Chat' };
const PAT = { handle: 'gdpr_pat', name: 'Pat Private' };
const QUINN = { handle: 'gdpr_quinn', name: 'Quinn Reader' };

let server: ServerProcess;
let browser: Browser;

beforeAll(async () => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(member: { handle: string; name: string }): Promise<OpenedPage> {
  const opened = await openPage(browser, { viewport: 'desktop', acceptDownloads: true });
  await opened.page.goto(`${server.url}/lounge/${GENERAL.slug}`);
  await submitDemoSignIn(opened.page, member.handle, member.name);
  await composer(opened.page, GENERAL).waitFor({ timeout: UI_TIMEOUT_MS });
  await waitOnline(opened.page);
  return opened;
}

async function say(page: Page, text: string): Promise<void> {
  await composer(page, GENERAL).fill(text);
  await composer(page, GENERAL).press('Enter');
  await messageWithText(page, GENERAL, text).waitFor({ timeout: LIVE_TIMEOUT_MS });
}

const openSettings = async (page: Page) => {
  await page.goto(`${server.url}/settings`);
  await page.getByRole('heading', { name: 'Your data' }).waitFor({ timeout: UI_TIMEOUT_MS });
};

describe('a member and their data', () => {
  it('downloads everything Lounge keeps about them as a zip, from Settings', async () => {
    const pat = await signIn(PAT);
    try {
      await say(pat.page, 'Notes for my future self');
      await openSettings(pat.page);
      await pat.page.getByRole('button', { name: 'Prepare a download' }).click();
      const download = pat.page.getByRole('list', { name: 'Your downloads' }).getByRole('button', { name: 'Download' });
      await download.waitFor({ timeout: 30_000 });
      expect(await pat.page.getByRole('list', { name: 'Your downloads' }).innerText()).toMatch(/available until/);
      const saving = pat.page.waitForEvent('download');
      await download.click();
      const saved = await saving;
      expect(saved.suggestedFilename()).toMatch(/^lounge-data-gdpr_pat-\d{4}-\d\d-\d\d\.zip$/);
      const zip = unzipSync(new Uint8Array(await readFile((await saved.path())!)));
      const data = JSON.parse(new TextDecoder().decode(zip['lounge-export/data.json'])) as {
        account: { handle: string };
        messages: Array<{ body: string; where: string }>;
      };
      expect(data.account.handle).toBe(PAT.handle);
      expect(data.messages).toContainEqual(
        expect.objectContaining({ body: 'Notes for my future self', where: 'General Chat' }),
      );
      expect(await seriousAxeViolations(pat.page)).toEqual([]);
      await pat.page.screenshot({ path: join(SCREENSHOT_DIR, 'settings-your-data-desktop.png'), fullPage: true });
      expect(unexpectedErrors(pat)).toEqual([]);
    } finally {
      await pat.close();
    }
  });

  it('deletes their account: this device and their other one are signed out; others see "Deleted user" beside the words', async () => {
    const pat = await signIn(PAT);
    const patPhone = await signIn(PAT);
    const quinn = await signIn(QUINN);
    try {
      await say(pat.page, 'Leaving soon, thanks all');
      await messageWithText(quinn.page, GENERAL, 'Leaving soon').waitFor({ timeout: LIVE_TIMEOUT_MS });

      await openSettings(pat.page);
      await pat.page.getByRole('button', { name: 'Delete my account…' }).click();
      const form = pat.page.getByRole('form', { name: 'Confirm account deletion' });
      const confirm = form.getByRole('button', { name: 'Delete my account' });
      // Nothing happens until the handle is typed.
      expect(await confirm.isDisabled()).toBe(true);
      await form.getByLabel(/Type your handle/).fill('@gdpr_pat');
      await confirm.click();

      // This device, and the other one (told by the server), are back at sign-in, with the reason.
      for (const page of [pat.page, patPhone.page]) {
        await page.getByText('Your Lounge account was deleted').waitFor({ timeout: LIVE_TIMEOUT_MS });
        await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: UI_TIMEOUT_MS });
      }
      // The other device kept nothing of the member's session.
      expect(await patPhone.page.evaluate('localStorage.getItem("lounge.session.v1")')).toBeNull();

      // Quinn, after a reload, reads the words under "Deleted user" (Pat's name is nowhere any more).
      await quinn.page.reload();
      await messageWithText(quinn.page, GENERAL, 'Leaving soon, thanks all').waitFor({ timeout: UI_TIMEOUT_MS });
      const log = messageLog(quinn.page, GENERAL);
      await expect.poll(() => log.innerText(), { timeout: LIVE_TIMEOUT_MS }).toContain('Deleted user');
      expect(await log.innerText()).not.toContain(PAT.name);
    } finally {
      await pat.close();
      await patPhone.close();
      await quinn.close();
    }
  });
});
