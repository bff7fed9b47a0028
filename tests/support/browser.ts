import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's Chromium; tests never download a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}. Browser tests use the system Chromium: ` +
        'install it with `apt-get install -y chromium` (CI does this in .ci/run) or set CHROMIUM_PATH.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

export type ViewportName = keyof typeof VIEWPORTS;

export interface OpenedPage {
  page: Page;
  /** Uncaught exceptions and console errors seen so far: a healthy page has none. */
  errors: string[];
  close(): Promise<void>;
}

/** A page in its own context (own storage), recording errors so tests can assert the page stayed healthy. */
export async function openPage(
  browser: Browser,
  options: { viewport?: ViewportName; colorScheme?: 'light' | 'dark' } & Omit<
    BrowserContextOptions,
    'viewport' | 'colorScheme'
  > = {},
): Promise<OpenedPage> {
  const { viewport = 'desktop', colorScheme = 'light', ...rest } = options;
  const context = await browser.newContext({
    ...rest,
    viewport: VIEWPORTS[viewport],
    colorScheme,
    isMobile: viewport === 'phone',
    hasTouch: viewport === 'phone',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  return { page, errors, close: () => context.close() };
}
