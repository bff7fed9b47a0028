import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, seriousAxeViolations, type OpenedPage } from '../support/browser.ts';
import {
  composer,
  messageWithText,
  submitDemoSignIn,
  UI_TIMEOUT_MS,
  unexpectedErrors,
  waitOnline,
  LIVE_TIMEOUT_MS,
  SCREENSHOT_DIR,
} from '../support/chat-ui.ts';
import type { ServerProcess } from '../support/server-process.ts';
import { startPreparedServer } from '../support/prepared-server.ts';
import { solidPng } from '../support/png.ts';

const GENERAL = { slug: 'general', name: 'General Chat' };
/** New members cannot post links (spam accounts are new accounts): Mia has been a member for a while. */
const MIA = { handle: 'lp_mia', name: 'Mia Member' };
const NED = { handle: 'lp_ned', name: 'Ned Reader' };

let server: ServerProcess;
let browser: Browser;
let dataDir: string;
let site: Server;
let siteUrl: string;
/** The page's picture: a banner (wide), shown under the card's words. */
const COVER = solidPng(600, 300, [30, 140, 90]);

beforeAll(async () => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  // A page to link to, on this machine: the server may read it for previews only because it is listed.
  site = createServer((req, res) => {
    if (req.url === '/track.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(COVER);
    if (req.url !== '/retry-guide') return void res.writeHead(404).end();
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(
        '<html><head><title>Retry guide</title><meta property="og:title" content="Retrying fetch, properly">' +
          '<meta property="og:description" content="Backoff, jitter and when to give up.">' +
          '<meta property="og:site_name" content="Team Docs"><meta property="og:image" content="/track.png"></head><body></body></html>',
      );
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  dataDir = await mkdtemp(join(tmpdir(), 'lounge-e2e-previews-'));
  const env = { LINK_PREVIEW_PRIVATE_HOSTS: '127.0.0.1', MODERATION_ALLOWED_LINK_DOMAINS: '127.0.0.1,github.com' };
  // First start: Mia's account exists; with the server stopped she becomes a member of some days' standing.
  ({ server } = await startPreparedServer({ dataDir, env }, [MIA], async (db, [miaId]) => {
    await db.query(`UPDATE users SET joined_at = now() - interval '5 days', messages_sent = 12 WHERE id = $1`, [miaId]);
  }));
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  site?.closeAllConnections();
  site?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function enter(member: { handle: string; name: string }): Promise<OpenedPage> {
  const opened = await openPage(browser);
  await opened.page.goto(`${server.url}/lounge/${GENERAL.slug}`);
  await submitDemoSignIn(opened.page, member.handle, member.name);
  await composer(opened.page, GENERAL).waitFor({ timeout: UI_TIMEOUT_MS });
  await waitOnline(opened.page);
  return opened;
}

describe('link previews', () => {
  it("a message with a link shows the page's card to everyone: its site, title, description and picture, nothing loaded from the site", async () => {
    let mia: OpenedPage | undefined;
    let ned: OpenedPage | undefined;
    try {
      mia = await enter(MIA);
      ned = await enter(NED);
      const requested: string[] = [];
      for (const page of [mia.page, ned.page]) page.on('request', (r) => requested.push(r.url()));
      const box = composer(mia.page, GENERAL);
      await box.fill(`This helped me: ${siteUrl}/retry-guide`);
      await box.press('Enter');
      for (const page of [mia.page, ned.page]) {
        const card = messageWithText(page, GENERAL, 'This helped me').getByRole('complementary', {
          name: 'Link preview: Retrying fetch, properly',
        });
        await card.waitFor({ timeout: LIVE_TIMEOUT_MS });
        await expect(card.innerText().then((t) => t.replace(/\n+/g, '\n'))).resolves.toBe(
          'Team Docs\nRetrying fetch, properly\nBackoff, jitter and when to give up.',
        );
        // The page's picture, as the server's copy, drawn at its size.
        const picture = card.locator('img.link-card__image');
        await picture.waitFor({ timeout: LIVE_TIMEOUT_MS });
        await expect(picture.getAttribute('src')).resolves.toMatch(/^\/api\/link-images\/[0-9a-f]{64}\.png$/);
        await expect
          .poll(
            () =>
              picture.evaluate((el) => {
                const img = el as unknown as { complete: boolean; naturalWidth: number };
                return img.complete ? img.naturalWidth : 0;
              }),
            {
              timeout: LIVE_TIMEOUT_MS,
            },
          )
          .toBe(600);
        const link = card.getByRole('link', { name: 'Retrying fetch, properly' });
        await expect(link.getAttribute('href')).resolves.toBe(`${siteUrl}/retry-guide`);
        await expect(link.getAttribute('rel')).resolves.toContain('noopener');
      }
      await mia.page.screenshot({ path: join(SCREENSHOT_DIR, 'link-preview-banner.png') });
      // The server read the page and copied its picture; the members' browsers never touched the site.
      expect(requested.filter((url) => url.startsWith(siteUrl))).toEqual([]);
      expect(await seriousAxeViolations(ned.page)).toEqual([]);
      expect(unexpectedErrors(mia)).toEqual([]);
      expect(unexpectedErrors(ned)).toEqual([]);
    } finally {
      await mia?.close();
      await ned?.close();
    }
  });
});
