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

/** What the local database's watchdog and worker say when they act (not a catch-up that found the page offline). */
const WATCHDOG_WARNING =
  /local database (did not open|failed to open|got no answer|worker could not open)|could not open its local database/;

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
    // The local database's watchdog (client/src/replica/sql/worker-database.ts) acting is not a failure,
    // but a run's log should show it: it is how a hung database worker would be noticed.
    else if (message.type() === 'warning' && WATCHDOG_WARNING.test(message.text()))
      console.log(`[page warning] ${message.text()}`);
  });
  return { page, errors, close: () => context.close() };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core in the page (injected from node_modules; @axe-core/playwright needs a newer Node) and
 * answers the serious and critical violations, each with a few of the elements it found.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const { createRequire } = await import('node:module');
  const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    // This function runs in the page; the test project has no DOM types, so the page's globals are reached
    // through globalThis.
    const page = globalThis as unknown as {
      axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> };
      document: unknown;
    };
    const result = (await page.axe.run(page.document, { resultTypes: ['violations'] })) as {
      violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }>;
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => n.target.map(String).join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Waits for the page's running CSS transitions and animations to end. A colour-scheme switch
 * (`emulateMedia`) changes text colours at once but fades backgrounds: a screenshot taken right away
 * shows dark-theme text on light-theme backgrounds that no member ever sees for more than a moment.
 */
export async function animationsSettled(page: Page): Promise<void> {
  await page.evaluate(
    'Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => undefined)))',
  );
}
