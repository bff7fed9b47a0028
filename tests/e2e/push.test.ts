import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser.ts';
import {
  offlineReady,
  composer,
  submitDemoSignIn,
  UI_TIMEOUT_MS,
  unexpectedErrors,
  waitOnline,
} from '../support/chat-ui.ts';
import { startServer, type ServerProcess } from '../support/server-process.ts';

let server: ServerProcess;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('push notifications on the device', () => {
  it("a push the browser receives is shown as a notification by Lounge's service worker, with its words", async () => {
    const opened = await openPage(browser, { viewport: 'desktop' });
    const { page } = opened;
    try {
      await page.context().grantPermissions(['notifications'], { origin: server.url });
      await page.goto(`${server.url}/lounge/general`);
      await submitDemoSignIn(page, 'push_pia', 'Pia Push');
      await composer(page, 'General Chat').waitFor({ timeout: UI_TIMEOUT_MS });
      await waitOnline(page);
      expect(await offlineReady(page)).toBe(true);

      // The browser's own push machinery delivers a message to the worker, as from its push service
      // (which a test cannot reach: the payload is what the server sends, see web-push.test.ts).
      const cdp = await page.context().newCDPSession(page);
      const registration = new Promise<string>((resolve) => {
        cdp.on(
          'ServiceWorker.workerRegistrationUpdated',
          (event: { registrations: Array<{ registrationId: string; scopeURL: string }> }) => {
            const found = event.registrations.find((r) => r.scopeURL.startsWith(server.url));
            if (found) resolve(found.registrationId);
          },
        );
      });
      await cdp.send('ServiceWorker.enable');
      const payload = {
        title: 'Ada mentioned you',
        body: 'In General Chat: can you look at this?',
        url: `${server.url}/lounge/general`,
        tag: 'notification-test-1',
      };
      const shown = () =>
        page.evaluate<Array<{ title: string; body: string; tag: string }>>(
          'navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => list.map((n) => ({ title: n.title, body: n.body, tag: n.tag })))',
        );
      // A push that lands while the worker is being replaced by a newer copy of itself (the app's update
      // on a loaded machine) is lost with the old copy, as it would be from a push service that does not
      // retry: deliver again then. The same tag replaces, so the device shows one notification however many.
      for (let attempt = 0; attempt < 3 && (await shown()).length === 0; attempt++) {
        await cdp.send('ServiceWorker.deliverPushMessage', {
          origin: server.url,
          registrationId: await registration,
          data: JSON.stringify(payload),
        });
        await expect
          .poll(async () => (await shown()).length, { timeout: UI_TIMEOUT_MS / 3 })
          .toBe(1)
          .catch(() => undefined);
      }
      expect(await shown()).toEqual([{ title: payload.title, body: payload.body, tag: payload.tag }]);

      // Settings offers push here: this server has keys, and this browser can take pushes.
      await page.goto(`${server.url}/settings`);
      const toggle = page.getByRole('switch', { name: /Push notifications/ });
      await toggle.waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await toggle.isDisabled()).toBe(false);
      // The account's push setting is on by default, but this browser has not subscribed: the switch,
      // which is this browser's, says off.
      expect(await toggle.isChecked()).toBe(false);
      expect(unexpectedErrors(opened)).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});
