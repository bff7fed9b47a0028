import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, seriousAxeViolations, type OpenedPage } from '../support/browser.ts';
import {
  composer,
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

const CODING = { slug: 'coding', name: 'Coding & Automation' };
const GENERAL = { slug: 'general', name: 'General Chat' };
const ADA = { handle: 'ada_fmt', name: 'Ada Formats' };
const GRACE = { handle: 'grace_fmt', name: 'Grace Reads' };

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

async function enter(room: { slug: string; name: string }, member: { handle: string; name: string }) {
  // Clipboard access for the code block's Copy button.
  const opened = await openPage(browser, { permissions: ['clipboard-read', 'clipboard-write'] });
  await opened.page.goto(`${server.url}/lounge/${room.slug}`);
  await submitDemoSignIn(opened.page, member.handle, member.name);
  await composer(opened.page, room).waitFor({ timeout: UI_TIMEOUT_MS });
  await waitOnline(opened.page);
  return opened;
}

/** Ada and Grace in one room, each in a browser of their own, closed whatever the test's outcome. */
async function withAdaAndGrace(
  room: { slug: string; name: string },
  test: (ada: OpenedPage, grace: OpenedPage) => Promise<void>,
): Promise<void> {
  let ada: OpenedPage | undefined;
  let grace: OpenedPage | undefined;
  try {
    ada = await enter(room, ADA);
    grace = await enter(room, GRACE);
    await test(ada, grace);
  } finally {
    await ada?.close();
    await grace?.close();
  }
}

describe('formatted messages', () => {
  it('a question written with Markdown and a code block reaches the other member formatted, titled by its words', async () => {
    await withAdaAndGrace(CODING, async (ada, grace) => {
      const box = composer(ada.page, CODING);

      // Typed as a member types it: Enter inside an open ``` block is the code's next line, not a send.
      await box.click();
      await box.pressSequentially('**How do I** retry a `fetch`?', { delay: 5 });
      await box.press('Shift+Enter');
      await box.pressSequentially('```ts', { delay: 5 });
      await box.press('Enter');
      await ada.page.getByText('In a code block:').waitFor({ timeout: UI_TIMEOUT_MS });
      await box.pressSequentially(`const res = await fetch(url); // ask @${GRACE.handle}`, { delay: 2 });
      await box.press('Enter');
      await box.pressSequentially('if (res.status >= 500) retry();', { delay: 2 });
      await box.press('Enter');
      expect(await pending(ada.page, CODING).count()).toBe(0);
      await box.pressSequentially('```', { delay: 5 });
      // The block is closed: now Enter sends.
      await box.press('Enter');
      await expect.poll(() => box.inputValue(), { timeout: UI_TIMEOUT_MS }).toBe('');

      const onGrace = messageWithText(grace.page, CODING, 'retry a');
      await onGrace.waitFor({ timeout: LIVE_TIMEOUT_MS });
      const body = onGrace.locator('.msg__body');
      await expect(body.locator('strong').innerText()).resolves.toBe('How do I');
      await expect(body.locator('code.md-code-inline').innerText()).resolves.toBe('fetch');
      // The code keeps its lines and spaces, in a monospaced block that names its language.
      const code = body.locator('pre');
      await expect(code.innerText()).resolves.toBe(
        `const res = await fetch(url); // ask @${GRACE.handle}\nif (res.status >= 500) retry();`,
      );
      await expect(
        grace.page.evaluate(`getComputedStyle(document.querySelector('.msg__body pre')).fontFamily`),
      ).resolves.toMatch(/mono/i);
      await expect(body.locator('.md-code__lang').innerText()).resolves.toBe('ts');
      // Coloured as TypeScript: keywords, the comment and the number are marked, the text is unchanged.
      await code.locator('.hljs-keyword', { hasText: 'const' }).first().waitFor({ timeout: UI_TIMEOUT_MS });
      await expect(code.locator('.hljs-comment').innerText()).resolves.toBe(`// ask @${GRACE.handle}`);
      await expect(code.locator('.hljs-number').innerText()).resolves.toBe('500');
      expect(
        await grace.page.evaluate(
          `getComputedStyle(document.querySelector('.msg__body pre .hljs-keyword')).color !== getComputedStyle(document.querySelector('.msg__body pre')).color`,
        ),
      ).toBe(true);
      // A handle inside code is code: no mention chip.
      expect(await body.locator('.mention').count()).toBe(0);

      // The Copy button puts the code on the clipboard, exactly.
      await onGrace.getByRole('button', { name: 'Copy code' }).click();
      await onGrace.getByRole('button', { name: 'Copied' }).waitFor({ timeout: UI_TIMEOUT_MS });
      await expect(grace.page.evaluate('navigator.clipboard.readText()')).resolves.toBe(
        `const res = await fetch(url); // ask @${GRACE.handle}\nif (res.status >= 500) retry();`,
      );

      // The help room made it a thread titled by its words, not its marks.
      await grace.page.getByRole('button', { name: /^Threads/ }).click();
      await grace.page
        .locator('.thread-list')
        .getByRole('button', { name: /^How do I retry a fetch\?/ })
        .waitFor({ timeout: LIVE_TIMEOUT_MS });
      await grace.page.getByRole('button', { name: /^Threads/ }).click();

      expect(await seriousAxeViolations(grace.page)).toEqual([]);
      await grace.page.screenshot({ path: join(SCREENSHOT_DIR, 'formatting-code-desktop-light.png') });
      expect(unexpectedErrors(ada)).toEqual([]);
      expect(unexpectedErrors(grace)).toEqual([]);
    });
  });

  it('HTML and script links in a message show as the characters typed; lists, quotes and tables render', async () => {
    await withAdaAndGrace(GENERAL, async (ada, grace) => {
      const hostile =
        'Look <img src=x onerror="window.__pwned=1"> and [click](javascript:window.__pwned=2) or <script>window.__pwned=3</script>';
      const box = composer(ada.page, GENERAL);
      await box.fill(hostile);
      await box.press('Enter');
      const shown = messageWithText(grace.page, GENERAL, 'Look <img');
      await shown.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect(shown.locator('.msg__body').innerText()).resolves.toBe(hostile);
      expect(await shown.locator('.msg__body img, .msg__body script').count()).toBe(0);
      expect(await shown.locator('.msg__body a').count()).toBe(0);
      await expect(grace.page.evaluate('window.__pwned')).resolves.toBeUndefined();

      await box.fill(
        '> the docs say\n\n1. install\n2. run\n\n- [x] read\n- [ ] ask\n\n| model | tokens |\n|---|--:|\n| small | 8k |',
      );
      await box.press('Enter');
      const rich = messageWithText(grace.page, GENERAL, 'the docs say');
      await rich.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect(rich.locator('blockquote').innerText()).resolves.toBe('the docs say');
      await expect(rich.locator('ol > li').allInnerTexts()).resolves.toEqual(['install', 'run']);
      await expect(rich.getByRole('img', { name: 'Done:' }).count()).resolves.toBe(1);
      await expect(rich.getByRole('img', { name: 'To do:' }).count()).resolves.toBe(1);
      await expect(rich.locator('table th').allInnerTexts()).resolves.toEqual(['model', 'tokens']);
      await expect(rich.locator('table td').allInnerTexts()).resolves.toEqual(['small', '8k']);

      expect(await seriousAxeViolations(grace.page)).toEqual([]);
      expect(unexpectedErrors(grace)).toEqual([]);
    });
  });
});

describe('the composer keyboard', () => {
  it('emoji by name: `:tad` suggests 🎉 and Enter inserts it, a typed `:rocket:` becomes 🚀, and the reaction picker finds any emoji', async () => {
    await withAdaAndGrace(GENERAL, async (ada, grace) => {
      const box = composer(ada.page, GENERAL);
      await box.click();
      await box.pressSequentially('Shipped :tad', { delay: 10 });
      const list = ada.page.getByRole('listbox', { name: 'Emoji' });
      await list.getByRole('option', { name: ':tada:' }).waitFor({ timeout: UI_TIMEOUT_MS });
      await box.press('Enter');
      await expect(box.inputValue()).resolves.toBe('Shipped 🎉 ');
      await box.pressSequentially('to prod :rocket:', { delay: 10 });
      await expect(box.inputValue()).resolves.toBe('Shipped 🎉 to prod 🚀');
      // A time and a smiley stay as typed, and suggest nothing.
      await box.pressSequentially(' at 10:30 :)', { delay: 10 });
      expect(await list.isHidden()).toBe(true);
      await box.press('Enter');
      const onGrace = messageWithText(grace.page, GENERAL, 'Shipped 🎉 to prod 🚀 at 10:30 :)');
      await onGrace.waitFor({ timeout: LIVE_TIMEOUT_MS });

      // Grace reacts with an emoji that is not a quick reaction: found by name in the picker.
      await onGrace.focus();
      await onGrace.getByRole('toolbar').getByRole('button', { name: 'Add reaction' }).click();
      const picker = grace.page.getByRole('group', { name: 'Choose a reaction' });
      await picker
        .getByRole('group', { name: 'All emoji' })
        .getByRole('button')
        .first()
        .waitFor({ timeout: UI_TIMEOUT_MS });
      // Categories after the first appear a frame at a time; all of them, down to the flags, are there.
      await picker
        .getByRole('region', { name: 'Flags' })
        .getByRole('button', { name: 'flag: Japan' })
        .waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
      await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('eyes');
      await picker
        .getByRole('group', { name: 'Emoji found' })
        .getByRole('button', { name: 'eyes', exact: true })
        .click();
      const onAda = messageWithText(ada.page, GENERAL, 'Shipped 🎉 to prod').locator(
        'button.reaction[data-emoji="👀"]',
      );
      await onAda.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await onAda.innerText()).toContain('1');
      // The picker open with a search typed passes axe; Escape closes it.
      await onGrace.focus();
      await onGrace.getByRole('toolbar').getByRole('button', { name: 'Add reaction' }).click();
      await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('heart');
      await picker.getByRole('group', { name: 'Emoji found' }).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await seriousAxeViolations(grace.page)).toEqual([]);
      await grace.page.keyboard.press('Escape');
      await expect.poll(() => picker.count()).toBe(0);
      expect(unexpectedErrors(ada)).toEqual([]);
      expect(unexpectedErrors(grace)).toEqual([]);
    });
  });

  it('↑ in an empty composer edits the last message; Enter saves it for everyone and the caret comes back', async () => {
    await withAdaAndGrace(GENERAL, async (ada, grace) => {
      const box = composer(ada.page, GENERAL);
      await box.fill('Meet at the libary at noon');
      await box.press('Enter');
      await messageWithText(grace.page, GENERAL, 'Meet at the libary').waitFor({ timeout: LIVE_TIMEOUT_MS });

      // With words in the composer ↑ is only a caret key.
      await box.fill('draft');
      await box.press('ArrowUp');
      expect(await ada.page.getByRole('textbox', { name: 'Edit message' }).count()).toBe(0);
      await box.fill('');

      await box.press('ArrowUp');
      const editor = ada.page.getByRole('textbox', { name: 'Edit message' });
      await editor.waitFor({ timeout: UI_TIMEOUT_MS });
      await expect.poll(() => editor.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await expect(editor.inputValue()).resolves.toBe('Meet at the libary at noon');
      await editor.fill('Meet at the library at noon');
      await editor.press('Enter');

      const onGrace = messageWithText(grace.page, GENERAL, 'Meet at the library at noon');
      await onGrace.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await onGrace.locator('.msg__edited').waitFor({ timeout: LIVE_TIMEOUT_MS });
      // Back to writing: the composer has the keyboard again.
      await expect.poll(() => box.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      expect(unexpectedErrors(ada)).toEqual([]);
    });
  });
});

describe('links to messages', () => {
  it("a member copies a message's link from its menu; another member opening it lands on that message", async () => {
    await withAdaAndGrace(GENERAL, async (ada, grace) => {
      const box = composer(ada.page, GENERAL);
      await box.fill('The answer to the rate limit question is in the docs, section 4');
      await box.press('Enter');
      const mine = messageWithText(ada.page, GENERAL, 'The answer to the rate limit question');
      await mine.waitFor({ timeout: LIVE_TIMEOUT_MS });
      const id = await mine.getAttribute('data-message-id');

      await mine.focus();
      await mine.getByRole('button', { name: 'More actions' }).click();
      await mine.getByRole('button', { name: 'Copy link to message' }).click();
      await ada.page.getByText('Link to the message copied.').waitFor({ timeout: UI_TIMEOUT_MS });
      const link = await ada.page.evaluate<string>('navigator.clipboard.readText()');
      expect(link).toBe(`${server.url}/lounge/${GENERAL.slug}#message-${id}`);

      // Grace follows it from elsewhere: the room opens on the message, highlighted and focused.
      await grace.page.goto(`${server.url}/lounge/newcomers`);
      await composer(grace.page, { name: 'Newcomers Welcome' }).waitFor({ timeout: UI_TIMEOUT_MS });
      await grace.page.goto(link);
      const target = grace.page.locator(`article.msg[data-message-id="${id}"]`);
      await target.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect
        .poll(() => target.evaluate((el) => el === el.ownerDocument.activeElement), { timeout: UI_TIMEOUT_MS })
        .toBe(true);
      expect(unexpectedErrors(grace)).toEqual([]);
    });
  });
});
