import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type OpenedPage, type ViewportName } from '../support/browser.ts';
import { startServer, type ServerProcess } from '../support/server-process.ts';
import { SCREENSHOT_DIR } from '../support/chat-ui.ts';

const SEEDED_ROOMS = [
  'AI Art & Design',
  'Coding & Automation',
  'Prompt Engineering',
  'Newcomers Welcome',
  'General Chat',
];
const FIRST_PAGE_BUDGET_MS = 60_000;
const UI_TIMEOUT_MS = 15_000;

interface AuthConfigBody {
  mode: string;
  demoSignIn: boolean;
  links: { events: string; perks: string };
}

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

const roomNav = (page: Page) => page.getByRole('navigation', { name: 'Lounge rooms' });
const roomNames = (page: Page) => roomNav(page).locator('.room-item__name').allTextContents();

async function signIn(page: Page, handle: string, displayName?: string): Promise<void> {
  await page.getByLabel('Handle').fill(handle);
  if (displayName) await page.getByLabel(/Display name/).fill(displayName);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function waitForRooms(page: Page): Promise<void> {
  await expect.poll(() => roomNames(page), { timeout: UI_TIMEOUT_MS }).toEqual(SEEDED_ROOMS);
}

/** Errors a healthy page must not produce; the browser's own log line for an expected 4xx answer is not one. */
function unexpectedErrors(opened: OpenedPage): string[] {
  return opened.errors.filter((e) => !e.includes('Failed to load resource'));
}

describe('a newcomer opens Lounge', () => {
  it('signs in with the demo sign-in and sees the five Lounge rooms, within 60 s of the server starting', async () => {
    const opened = await openPage(browser, { viewport: 'desktop', colorScheme: 'light' });
    const { page } = opened;
    try {
      await page.goto(`${server.url}/`);
      await expect.poll(() => new URL(page.url()).pathname).toBe('/lounge');
      await page.getByRole('heading', { name: 'Welcome to the Lounge' }).waitFor({ timeout: UI_TIMEOUT_MS });

      await signIn(page, 'newcomer_ada', 'Ada Lovelace');
      await waitForRooms(page);
      const elapsedMs = performance.now() - server.spawnedAt;
      console.info(`[e2e] server spawn → five rooms visible: ${Math.round(elapsedMs)} ms`);
      expect(elapsedMs).toBeLessThan(FIRST_PAGE_BUDGET_MS);

      // Every room is a link named after it, with its online count in reach of a screen reader.
      for (const name of SEEDED_ROOMS) {
        const link = roomNav(page).getByRole('link', { name });
        await expect.poll(() => link.count()).toBe(1);
        expect(await link.evaluate((el) => el.textContent ?? '')).toContain(name);
        expect(await link.innerText()).toMatch(/\d+ online/);
      }

      // The COMMUNITY navigation, with the host platform's links from /api/auth/config.
      const config = (await (await fetch(`${server.url}/api/auth/config`)).json()) as AuthConfigBody;
      const community = page.getByRole('navigation', { name: 'Community' });
      const communityLinks = (await community.getByRole('link').allInnerTexts()).map((t) =>
        t.replace(/\s+/g, ' ').trim(),
      );
      expect(communityLinks).toEqual([
        'The Lounge',
        'Your Thrive Circle',
        'Messages',
        'Events (opens in a new tab)',
        'Perks (opens in a new tab)',
      ]);
      expect(await community.getByRole('link', { name: 'The Lounge' }).getAttribute('aria-current')).toBe('page');
      expect(await community.getByRole('link', { name: /^Events/ }).getAttribute('href')).toBe(config.links.events);
      expect(await community.getByRole('link', { name: /^Perks/ }).getAttribute('href')).toBe(config.links.perks);
      // At a 1280 px desktop every link is in view: the list scrolls sideways with no scrollbar, so a link
      // beyond its edge would be cut off or out of sight with nothing to say so.
      const listBox = (await community.getByRole('list').boundingBox())!;
      for (const link of await community.getByRole('link').all()) {
        const box = (await link.boundingBox())!;
        expect(box.x + box.width, await link.innerText()).toBeLessThanOrEqual(listBox.x + listBox.width + 0.5);
      }

      const banner = page.getByRole('banner');
      expect(await banner.getByTestId('member-name').innerText()).toBe('Ada Lovelace');
      expect(await banner.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);

      // Opening a room shows its header in the main pane and gives it its own address.
      await roomNav(page).getByRole('link', { name: 'Coding & Automation' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/lounge/coding');
      const main = page.getByRole('main');
      await main.getByRole('heading', { level: 1, name: 'Coding & Automation' }).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await main.locator('.room-header__description').innerText()).toMatch(/questions become threads/);
      expect(await roomNav(page).getByRole('link', { name: 'Coding & Automation' }).getAttribute('aria-current')).toBe(
        'page',
      );
      expect(await page.title()).toBe('Coding & Automation · Lounge');

      // The keyboard alone moves through the rooms and opens one.
      await roomNav(page).getByRole('link', { name: 'AI Art & Design' }).focus();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await expect.poll(() => new URL(page.url()).pathname).toBe('/lounge/prompt-engineering');
      await main.getByRole('heading', { level: 1, name: 'Prompt Engineering' }).waitFor({ timeout: UI_TIMEOUT_MS });

      // Back returns to the previous room without a reload.
      await page.goBack();
      await main.getByRole('heading', { level: 1, name: 'Coding & Automation' }).waitFor({ timeout: UI_TIMEOUT_MS });

      // The other COMMUNITY pages are reachable and say what they will hold.
      await community.getByRole('link', { name: 'Messages' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/messages');
      await page
        .getByRole('main')
        .getByRole('heading', { level: 1, name: 'Messages' })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await community.getByRole('link', { name: 'Messages' }).getAttribute('aria-current')).toBe('page');
      await page.getByRole('main').getByRole('link', { name: 'Back to The Lounge' }).click();
      await waitForRooms(page);

      expect(unexpectedErrors(opened)).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  it('says in plain words what is wrong with a handle before sending it, in the same words the server uses', async () => {
    const invalidHandle = 'x!';
    const rule = 'A handle may use only letters, digits, “_”, “.” and “-” (no spaces or other marks).';
    const response = await fetch(`${server.url}/api/auth/demo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle: invalidHandle }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toContain(rule);

    const opened = await openPage(browser, { viewport: 'desktop', colorScheme: 'light' });
    const { page } = opened;
    const signIns: string[] = [];
    page.on('request', (r) => void (r.url().endsWith('/api/auth/demo') && signIns.push(r.url())));
    try {
      await page.goto(`${server.url}/lounge`);
      await signIn(page, invalidHandle);
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: UI_TIMEOUT_MS });
      expect((await alert.innerText()).trim()).toBe(rule);
      expect(await page.getByLabel('Handle').getAttribute('aria-invalid')).toBe('true');
      await signIn(page, '');
      await expect.poll(async () => (await alert.innerText()).trim()).toMatch(/^Pick a handle/);
      expect(await roomNav(page).count()).toBe(0);
      // Checked on the page: nothing was sent that had to fail.
      expect(signIns).toEqual([]);

      // Fixing the handle signs in and clears the error.
      await signIn(page, 'fixed_handle');
      await waitForRooms(page);
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(unexpectedErrors(opened)).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  it('keeps the member signed in across a reload, on the same room', async () => {
    const opened = await openPage(browser, { viewport: 'desktop', colorScheme: 'light' });
    const { page } = opened;
    try {
      await page.goto(`${server.url}/lounge/general`);
      await signIn(page, 'returning.member', 'Returning Member');
      await waitForRooms(page);
      // A deep link survives signing in.
      await page
        .getByRole('main')
        .getByRole('heading', { level: 1, name: 'General Chat' })
        .waitFor({ timeout: UI_TIMEOUT_MS });

      await page.reload();
      await waitForRooms(page);
      await page
        .getByRole('main')
        .getByRole('heading', { level: 1, name: 'General Chat' })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page.getByTestId('member-name').innerText()).toBe('Returning Member');
      expect(await page.getByLabel('Handle').count()).toBe(0);

      // Signing out forgets the session, also across a reload.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Handle').waitFor({ timeout: UI_TIMEOUT_MS });
      await page.reload();
      await page.getByLabel('Handle').waitFor({ timeout: UI_TIMEOUT_MS });
      expect(unexpectedErrors(opened)).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  it('signs the member out with a notice when the stored token is no longer valid', async () => {
    const opened = await openPage(browser, { viewport: 'desktop', colorScheme: 'light' });
    const { page } = opened;
    try {
      await page.goto(`${server.url}/lounge`);
      await signIn(page, 'expired_member');
      await waitForRooms(page);
      // Page scripts are strings here: the test's TypeScript has no DOM types, the page does.
      await page.evaluate(`(() => {
        const key = 'lounge.session.v1';
        const stored = JSON.parse(localStorage.getItem(key));
        localStorage.setItem(key, JSON.stringify({ ...stored, token: 'not-a-valid-token' }));
      })()`);
      await page.reload();
      await page.getByLabel('Handle').waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page.getByRole('status').innerText()).toMatch(/sign in again/i);
    } finally {
      await opened.close();
    }
  });

  const looks: Array<{ viewport: ViewportName; colorScheme: 'light' | 'dark' }> = [
    { viewport: 'desktop', colorScheme: 'light' },
    { viewport: 'desktop', colorScheme: 'dark' },
    { viewport: 'phone', colorScheme: 'light' },
    { viewport: 'phone', colorScheme: 'dark' },
  ];

  it.each(looks)(
    'looks right at $viewport width in $colorScheme mode (screenshots)',
    async ({ viewport, colorScheme }) => {
      const opened = await openPage(browser, { viewport, colorScheme });
      const { page } = opened;
      const shot = (name: string) =>
        page.screenshot({
          path: join(SCREENSHOT_DIR, `${name}-${viewport}-${colorScheme}.png`),
          fullPage: viewport === 'phone',
        });
      // clientWidth, not innerWidth: a phone browser widens its layout viewport to fit overflowing content.
      const noSideways = () =>
        page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth');
      try {
        await page.goto(`${server.url}/lounge`);
        await page.getByLabel('Handle').waitFor({ timeout: UI_TIMEOUT_MS });
        expect(await noSideways()).toBe(true);
        await shot('sign-in');

        await signIn(page, 'x!');
        await page.getByRole('alert').waitFor({ timeout: UI_TIMEOUT_MS });
        await shot('sign-in-error');

        await signIn(page, `looks_${viewport}_${colorScheme}`, 'Grace Hopper');
        await waitForRooms(page);
        await page.getByRole('heading', { level: 1, name: /Welcome, Grace/ }).waitFor({ timeout: UI_TIMEOUT_MS });
        expect(await noSideways()).toBe(true);
        await shot('lounge');

        await roomNav(page).getByRole('link', { name: 'AI Art & Design' }).click();
        await page
          .getByRole('main')
          .getByRole('heading', { level: 1, name: 'AI Art & Design' })
          .waitFor({ timeout: UI_TIMEOUT_MS });
        expect(await noSideways()).toBe(true);
        await shot('room');
        expect(unexpectedErrors(opened)).toEqual([]);
      } finally {
        await opened.close();
      }
    },
  );
});

describe('a server where members sign in on the host platform', () => {
  let hostOnly: ServerProcess;

  beforeAll(async () => {
    hostOnly = await startServer({ env: { LOUNGE_DEMO_SIGN_IN: 'false' } });
  });

  afterAll(async () => {
    await hostOnly?.stop();
  });

  it('offers no demo sign-in and says where to sign in instead', async () => {
    const opened = await openPage(browser, { viewport: 'desktop', colorScheme: 'light' });
    const { page } = opened;
    try {
      await page.goto(`${hostOnly.url}/lounge`);
      await page.getByRole('heading', { name: 'Welcome to the Lounge' }).waitFor({ timeout: UI_TIMEOUT_MS });
      await page.getByText(/sign in there/i).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page.getByLabel('Handle').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
      expect(unexpectedErrors(opened)).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});
