import { createServer, type Server } from 'node:http';
import { access, cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { Browser, Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type AxeViolation, type OpenedPage } from '../support/browser.ts';
import {
  composer as appComposer,
  messageWithText as appMessageWithText,
  submitDemoSignIn,
  UI_TIMEOUT_MS,
  unexpectedErrors,
  waitOnline,
  LIVE_TIMEOUT_MS,
  SCREENSHOT_DIR,
} from '../support/chat-ui.ts';
import { findFreePort, REPO_ROOT, startServer, type ServerProcess } from '../support/server-process.ts';

/**
 * Opening a widget is a token handshake, two API calls, IndexedDB and the sync socket; on a two-core machine
 * shared with other browser runs that has taken longer than the app's usual UI wait.
 */
const OPEN_TIMEOUT_MS = 45_000;
/** Per test: each opens two or three browser contexts, each running the whole replica. */
const TEST_TIMEOUT_MS = 240_000;
/** The host platform signs its members' tokens with this secret (Lounge's AUTH_JWT_SECRET). */
const HOST_SECRET = 'e2e-widget-host-platform-secret-0123456789';
const INTEGRATION_SECRET = 'e2e-widget-integration-secret-0123456789ab';

const ADA = { hostId: 'host-ada', handle: 'w_ada', name: 'Ada Lovelace' };
const GRACE = { hostId: 'host-grace', handle: 'w_grace', name: 'Grace Hopper' };
const PROJECT = { hostId: 'p-orbit', name: 'Orbit Planner' };
const SECRET_PROJECT = { hostId: 'p-stealth', name: 'Stealth Mode' };
const BATTLE = { hostId: 'b-7', title: 'Battle #7: haiku vs limerick' };
const PATH = { hostId: 'lp-prompts', name: 'Prompting 101' };

let server: ServerProcess;
let browser: Browser;
let host: { url: string; close: () => Promise<void> };
/** Lounge as the host page addresses it: another origin than the host page (same host, another port). */
let loungeOrigin: string;
let battleThreadId: string;
let distDir: string;

/**
 * Whether a folder holds a whole client build: every file the build's service worker lists (index.html, the
 * widget page, hashed assets, public files) is there.
 */
async function isCompleteBuild(dir: string): Promise<boolean> {
  try {
    const sw = await readFile(join(dir, 'sw.js'), 'utf8');
    const listed = /const SHELL = (\[[^\]]*\]);/.exec(sw)?.[1];
    if (!listed) return false;
    const shell = JSON.parse(listed) as string[];
    for (const file of shell) await access(join(dir, file));
    return shell.includes('/widget.html');
  } catch {
    return false;
  }
}

/**
 * A private copy of the client build for this file's server. Other test runs in the same working tree
 * rebuild client/dist (emptying it first) at any time, and a server serving it then answers the widget's
 * page or assets with 503/404 in the middle of a test.
 */
async function snapshotClientBuild(): Promise<string> {
  const source = join(REPO_ROOT, 'client', 'dist');
  for (let attempt = 1; attempt <= 10; attempt++) {
    const target = await mkdtemp(join(tmpdir(), 'lounge-widget-dist-'));
    await cp(source, target, { recursive: true }).catch(() => undefined);
    if (await isCompleteBuild(target)) return target;
    await rm(target, { recursive: true, force: true });
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
  throw new Error('client/dist was never a complete build while copying it (another build kept rewriting it)');
}

/** A member's token as the host platform signs it for its own pages. */
function memberToken(member: { hostId: string; handle: string; name: string }): Promise<string> {
  return new SignJWT({ handle: member.handle, name: member.name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(member.hostId)
    .setAudience('lounge')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(HOST_SECRET));
}

async function integration(path: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}/api/integration/${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${INTEGRATION_SECRET}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`PUT ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/**
 * A stand-in for the host platform: its pages embed Lounge's widget in an iframe and answer the widget's
 * token request with the signed-in visitor's token (`?as=<host user id>`, none for a signed-out visitor),
 * exactly as the README tells a host to do.
 */
async function startHostPlatform(): Promise<{ url: string; close: () => Promise<void> }> {
  const members = new Map([ADA, GRACE].map((m) => [m.hostId, m]));
  const httpServer: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://host');
      const match = /^\/(project|battle|learning_path)\/([\w-]+)$/.exec(url.pathname);
      if (!match) {
        response.writeHead(404).end();
        return;
      }
      const [, kind, id] = match;
      const member = members.get(url.searchParams.get('as') ?? '');
      const token = member ? await memberToken(member) : null;
      const width = Number(url.searchParams.get('width') ?? '380');
      const src = `${loungeOrigin}/embed/${kind}/${id}`;
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host platform: ${kind} ${id}</title></head>
<body style="margin:0;font-family:sans-serif">
<main><h1 style="font-size:18px;margin:8px">The host platform's ${kind} page</h1>
<iframe id="lounge-chat" title="Discussion" src="${src}" style="width:${width}px;height:600px;border:1px solid #ccc"></iframe>
</main>
<script>
  const LOUNGE = ${JSON.stringify(loungeOrigin)};
  const TOKEN = ${JSON.stringify(token)};
  window.addEventListener('message', (event) => {
    if (event.origin !== LOUNGE || !event.data || event.data.type !== 'lounge:token-request') return;
    event.source.postMessage({ type: 'lounge:token', token: TOKEN }, LOUNGE);
  });
  // The member minimized the chat: the frame shrinks to its header, and grows back when it is opened.
  window.addEventListener('message', (event) => {
    if (event.origin !== LOUNGE || !event.data || event.data.type !== 'lounge:widget-size') return;
    document.getElementById('lounge-chat').style.height = event.data.collapsed ? event.data.height + 'px' : '600px';
  });
  // A member asked for a rematch on a battle's discussion: the platform's battles take it from here.
  window.rematches = [];
  window.addEventListener('message', (event) => {
    if (event.origin !== LOUNGE || !event.data || event.data.type !== 'lounge:rematch') return;
    window.rematches.push(event.data.battleId);
  });
</script>
</body></html>`);
    })();
  });
  const port = await findFreePort();
  await new Promise<void>((resolve) => httpServer.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => httpServer.close(() => resolve())),
  };
}

beforeAll(async () => {
  // A generous start-up time: the machine's two cores are shared with other test runs.
  distDir = await snapshotClientBuild();
  server = await startServer({
    env: { AUTH_JWT_SECRET: HOST_SECRET, INTEGRATION_SECRET, CLIENT_DIST_DIR: distDir },
    readyTimeoutMs: 150_000,
  });
  loungeOrigin = server.url;
  browser = await launchBrowser();
  host = await startHostPlatform();
  await mkdir(SCREENSHOT_DIR, { recursive: true });

  for (const member of [ADA, GRACE]) {
    await integration(`users/${member.hostId}`, { handle: member.handle, displayName: member.name });
  }
  await integration(`projects/${PROJECT.hostId}`, { name: PROJECT.name, emoji: '🛰️', ownerHostUserId: ADA.hostId });
  await integration(`projects/${SECRET_PROJECT.hostId}`, {
    name: SECRET_PROJECT.name,
    ownerHostUserId: ADA.hostId,
    isPrivate: true,
  });
  battleThreadId = (await integration(`battles/${BATTLE.hostId}/thread`, { title: BATTLE.title })).threadId as string;
  await integration(`learning-paths/${PATH.hostId}`, { name: PATH.name, description: 'Ask anything about the path.' });
});

/** Pages of the running test, so a failure reports what their widgets said and the server logged. */
const openedInTest: Array<{ path: string; opened: OpenedPage }> = [];
afterEach((context) => {
  if (context.task.result?.state === 'fail') {
    for (const { path, opened } of openedInTest) console.log(`[widget e2e] ${path}: errors`, opened.errors);
    console.log('[widget e2e] server output (tail):\n', server.output().slice(-6000));
  }
  openedInTest.length = 0;
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await server?.stop();
  if (distDir) await rm(distDir, { recursive: true, force: true });
});

// ---- the widget, seen from inside its iframe ----

const widgetOf = (page: Page): FrameLocator => page.frameLocator('#lounge-chat');
const widgetComposer = (w: FrameLocator, name: string) =>
  w.getByRole('combobox', { name: `Message ${name}`, exact: true });
const widgetMessage = (w: FrameLocator, name: string, text: string): Locator =>
  w
    .getByRole('log', { name: `Messages in ${name}` })
    .locator('article.msg[data-message-id]')
    .filter({ has: w.locator('.msg__body', { hasText: text }) });

async function openHostPage(
  path: string,
  as: { hostId: string } | null,
  options: { width?: number; colorScheme?: 'light' | 'dark'; bypassCSP?: boolean } = {},
): Promise<OpenedPage> {
  const opened = await openPage(browser, {
    colorScheme: options.colorScheme ?? 'light',
    bypassCSP: options.bypassCSP ?? false,
  });
  openedInTest.push({ path, opened });
  const query = new URLSearchParams({ width: String(options.width ?? 380) });
  if (as) query.set('as', as.hostId);
  await opened.page.goto(`${host.url}${path}?${query}`);
  return opened;
}

async function waitWidgetOnline(w: FrameLocator): Promise<void> {
  await w.locator('.connection[data-state="online"]').waitFor({ timeout: UI_TIMEOUT_MS });
}

async function sendIn(box: Locator, text: string): Promise<void> {
  await box.fill(text);
  await box.press('Enter');
}

/** Shows a message's action bar (it appears while focus is inside the message). */
async function actionsOf(message: Locator): Promise<Locator> {
  await message.focus();
  return message.getByRole('toolbar');
}

/** The widget's frame, for running axe-core inside it. */
function widgetFrame(page: Page): Frame {
  const frame = page.frames().find((f) => f.url().includes('/embed/'));
  if (!frame) throw new Error('the host page has no widget frame');
  return frame;
}

/** axe-core's serious and critical violations inside the widget's document (the host page is not ours). */
async function seriousViolationsIn(frame: Frame): Promise<AxeViolation[]> {
  await frame.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  const violations = await frame.evaluate(async () => {
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
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').filter((v) => v.nodes.length > 0);
}

describe('the embeddable chat widget', () => {
  it(
    'two members talk in a project room through its widget on the host’s project page: join, live messages, reply, reaction, typing, presence',
    async () => {
      const ada = await openHostPage(`/project/${PROJECT.hostId}`, ADA);
      const grace = await openHostPage(`/project/${PROJECT.hostId}`, GRACE);
      try {
        const onAda = widgetOf(ada.page);
        const onGrace = widgetOf(grace.page);
        // Ada owns the project's room: she can write at once.
        await widgetComposer(onAda, PROJECT.name).waitFor({ timeout: OPEN_TIMEOUT_MS });
        await waitWidgetOnline(onAda);

        // Grace is a visitor: she reads the room, and joins it to take part.
        await onGrace.getByText('Join this discussion to post, reply and react.').waitFor({ timeout: OPEN_TIMEOUT_MS });
        expect(await widgetComposer(onGrace, PROJECT.name).count()).toBe(0);
        await onGrace.getByRole('button', { name: 'Join discussion' }).click();
        await widgetComposer(onGrace, PROJECT.name).waitFor({ timeout: UI_TIMEOUT_MS });
        await waitWidgetOnline(onGrace);

        // Presence: Ada opens who is here and sees Grace.
        await onAda.getByRole('button', { name: /online/ }).click();
        await onAda
          .getByRole('list', { name: `Online in ${PROJECT.name}` })
          .getByText(GRACE.name)
          .waitFor({ timeout: LIVE_TIMEOUT_MS });

        // Ada posts; Grace sees it live.
        await sendIn(widgetComposer(onAda, PROJECT.name), 'Welcome to the Orbit Planner discussion');
        const welcomeOnGrace = widgetMessage(onGrace, PROJECT.name, 'Welcome to the Orbit Planner discussion');
        await welcomeOnGrace.waitFor({ timeout: LIVE_TIMEOUT_MS });

        // Grace types; Ada sees it.
        await widgetComposer(onGrace, PROJECT.name).pressSequentially('Thanks', { delay: 30 });
        await onAda.getByText(`${GRACE.name} is typing…`).waitFor({ timeout: LIVE_TIMEOUT_MS });
        await widgetComposer(onGrace, PROJECT.name).fill('');

        // Grace replies to Ada's message; Ada sees the reply with its quote.
        await (await actionsOf(welcomeOnGrace)).getByRole('button', { name: 'Reply' }).click();
        await onGrace.getByText('Replying to').waitFor({ timeout: UI_TIMEOUT_MS });
        await sendIn(widgetComposer(onGrace, PROJECT.name), 'How do I try the planner?');
        const replyOnAda = widgetMessage(onAda, PROJECT.name, 'How do I try the planner?');
        await replyOnAda.waitFor({ timeout: LIVE_TIMEOUT_MS });
        await replyOnAda
          .getByRole('button', { name: /Replying to Ada Lovelace Welcome to the Orbit Planner discussion/ })
          .waitFor({ timeout: UI_TIMEOUT_MS });

        // Ada reacts to Grace's question; Grace sees the count.
        await (await actionsOf(replyOnAda)).getByRole('button', { name: 'Add reaction' }).click();
        await onAda
          .getByRole('group', { name: 'Choose a reaction' })
          .getByRole('button', { name: 'React with party' })
          .click();
        const reactionOnGrace = widgetMessage(onGrace, PROJECT.name, 'How do I try the planner?').locator(
          'button.reaction[data-emoji="🎉"]',
        );
        await reactionOnGrace.waitFor({ timeout: LIVE_TIMEOUT_MS });
        expect(await reactionOnGrace.innerText()).toContain('1');

        // Both see the same conversation in the same order.
        const bodies = async (w: FrameLocator) =>
          (
            await w
              .getByRole('log', { name: `Messages in ${PROJECT.name}` })
              .locator('article.msg[data-message-id] .msg__body')
              .allInnerTexts()
          ).map((t) => t.trim());
        await expect.poll(() => bodies(onGrace), { timeout: LIVE_TIMEOUT_MS }).toEqual(await bodies(onAda));

        // The widget fits a narrow iframe: nothing scrolls sideways inside it.
        expect(
          await widgetFrame(ada.page).evaluate<boolean>(
            'document.documentElement.scrollWidth <= document.documentElement.clientWidth',
          ),
        ).toBe(true);
        await ada.page.screenshot({ path: join(SCREENSHOT_DIR, 'widget-project-light.png') });
        expect(unexpectedErrors(ada)).toEqual([]);
        expect(unexpectedErrors(grace)).toEqual([]);
      } finally {
        await ada.close();
        await grace.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a member minimizes the chat to its header (the host shrinks the frame), sees how many new messages came, and opens it again',
    async () => {
      const ada = await openHostPage(`/project/${PROJECT.hostId}`, ADA);
      const grace = await openHostPage(`/project/${PROJECT.hostId}`, GRACE);
      try {
        const onAda = widgetOf(ada.page);
        const onGrace = widgetOf(grace.page);
        await widgetComposer(onAda, PROJECT.name).waitFor({ timeout: OPEN_TIMEOUT_MS });
        await waitWidgetOnline(onAda);
        const frameHeight = () =>
          ada.page.locator('#lounge-chat').evaluate((el) => Math.round(el.getBoundingClientRect().height));
        expect(await frameHeight()).toBeGreaterThan(500);

        await onAda.getByRole('button', { name: 'Minimize the chat' }).click();
        await expect.poll(frameHeight, { timeout: UI_TIMEOUT_MS }).toBeLessThan(130);
        expect(await widgetComposer(onAda, PROJECT.name).isVisible()).toBe(false);

        // Grace writes meanwhile (joining first if this is her first visit): Ada's header counts it.
        const joinButton = onGrace.getByRole('button', { name: 'Join discussion' });
        await widgetComposer(onGrace, PROJECT.name).or(joinButton).waitFor({ timeout: OPEN_TIMEOUT_MS });
        if (await joinButton.isVisible()) await joinButton.click();
        await widgetComposer(onGrace, PROJECT.name).waitFor({ timeout: UI_TIMEOUT_MS });
        await waitWidgetOnline(onGrace);
        await sendIn(widgetComposer(onGrace, PROJECT.name), 'Anyone around for a quick question?');
        await onAda.getByRole('status').filter({ hasText: '1 new' }).waitFor({ timeout: LIVE_TIMEOUT_MS });

        await onAda.getByRole('button', { name: 'Open the chat' }).click();
        await expect.poll(frameHeight, { timeout: UI_TIMEOUT_MS }).toBeGreaterThan(500);
        await widgetMessage(onAda, PROJECT.name, 'Anyone around for a quick question?').waitFor({
          timeout: UI_TIMEOUT_MS,
        });
        expect(await onAda.getByText('1 new').count()).toBe(0);
        expect(ada.errors).toEqual([]);
      } finally {
        await ada.close();
        await grace.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a message posted in a battle’s widget reaches a member in the full app live, and the other way round',
    async () => {
      const ada = await openHostPage(`/battle/${BATTLE.hostId}`, ADA);
      const app = await openPage(browser);
      try {
        const onAda = widgetOf(ada.page);
        await widgetComposer(onAda, BATTLE.title).waitFor({ timeout: OPEN_TIMEOUT_MS });
        await waitWidgetOnline(onAda);

        // Grace uses the Lounge app itself, with the battle's thread open beside the General room.
        await app.page.goto(`${server.url}/lounge/general/thread/${battleThreadId}`);
        await submitDemoSignIn(app.page, 'w_grace_app', 'Grace in the app');
        await appComposer(app.page, BATTLE.title).waitFor({ timeout: UI_TIMEOUT_MS });
        await waitOnline(app.page);

        await sendIn(widgetComposer(onAda, BATTLE.title), 'Haiku wins: seventeen syllables of pure strategy');
        await appMessageWithText(app.page, BATTLE.title, 'Haiku wins').waitFor({ timeout: LIVE_TIMEOUT_MS });

        await sendIn(appComposer(app.page, BATTLE.title), 'A limerick would like a rematch');
        await widgetMessage(onAda, BATTLE.title, 'A limerick would like a rematch').waitFor({
          timeout: LIVE_TIMEOUT_MS,
        });
        // The widget names the app member as the server knows them.
        await widgetMessage(onAda, BATTLE.title, 'A limerick would like a rematch')
          .getByText('Grace in the app')
          .waitFor({ timeout: LIVE_TIMEOUT_MS });
        await onAda.getByText('Battle discussion · in General Chat').waitFor({ timeout: UI_TIMEOUT_MS });

        // "Discussion, rematch" (spec): the widget asks its battle page, which owns battles, for another round.
        await onAda.getByRole('button', { name: 'Rematch' }).click();
        await onAda
          .getByText('Rematch requested: the battle page takes it from here.')
          .waitFor({ timeout: UI_TIMEOUT_MS });
        await expect
          .poll(() => ada.page.evaluate('window.rematches'), { timeout: UI_TIMEOUT_MS })
          .toEqual([BATTLE.hostId]);
        expect(await onAda.getByRole('button', { name: 'Rematch' }).isDisabled()).toBe(true);

        expect(unexpectedErrors(ada)).toEqual([]);
        expect(unexpectedErrors(app)).toEqual([]);
      } finally {
        await ada.close();
        await app.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'offline, a message written in the widget waits in its outbox and reaches the other member once on reconnect',
    async () => {
      const ada = await openHostPage(`/battle/${BATTLE.hostId}`, ADA);
      const grace = await openHostPage(`/battle/${BATTLE.hostId}`, GRACE);
      try {
        const onAda = widgetOf(ada.page);
        const onGrace = widgetOf(grace.page);
        await widgetComposer(onAda, BATTLE.title).waitFor({ timeout: OPEN_TIMEOUT_MS });
        await widgetComposer(onGrace, BATTLE.title).waitFor({ timeout: OPEN_TIMEOUT_MS });
        await waitWidgetOnline(onAda);
        await waitWidgetOnline(onGrace);

        await ada.page.context().setOffline(true);
        await onAda.locator('.connection[data-state="offline"]').waitFor({ timeout: UI_TIMEOUT_MS });
        await sendIn(widgetComposer(onAda, BATTLE.title), 'Written on a train with no signal');
        // Shown at once as pending, and counted in the connection state.
        await onAda
          .getByRole('log', { name: `Messages in ${BATTLE.title}` })
          .locator('article.msg[data-intent-id]')
          .filter({ hasText: 'Written on a train with no signal' })
          .waitFor({ timeout: UI_TIMEOUT_MS });
        await expect
          .poll(() => onAda.getByTestId('pending-count').innerText(), { timeout: UI_TIMEOUT_MS })
          .toContain('1');
        expect(await widgetMessage(onGrace, BATTLE.title, 'Written on a train').count()).toBe(0);

        await ada.page.context().setOffline(false);
        await waitWidgetOnline(onAda);
        await widgetMessage(onGrace, BATTLE.title, 'Written on a train with no signal').waitFor({
          timeout: LIVE_TIMEOUT_MS,
        });
        await widgetMessage(onAda, BATTLE.title, 'Written on a train with no signal').waitFor({
          timeout: LIVE_TIMEOUT_MS,
        });
        await expect
          .poll(
            () =>
              onAda
                .getByRole('log', { name: `Messages in ${BATTLE.title}` })
                .locator('article.msg[data-intent-id]')
                .count(),
            {
              timeout: LIVE_TIMEOUT_MS,
            },
          )
          .toBe(0);
        // Exactly once, on both sides, also after Grace reloads the host page.
        expect(await widgetMessage(onAda, BATTLE.title, 'Written on a train with no signal').count()).toBe(1);
        await grace.page.reload();
        await widgetMessage(widgetOf(grace.page), BATTLE.title, 'Written on a train with no signal').waitFor({
          timeout: OPEN_TIMEOUT_MS,
        });
        expect(
          await widgetMessage(widgetOf(grace.page), BATTLE.title, 'Written on a train with no signal').count(),
        ).toBe(1);
        expect(unexpectedErrors(ada)).toEqual([]);
        expect(unexpectedErrors(grace)).toEqual([]);
      } finally {
        await ada.close();
        await grace.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'in a learning path’s help widget a question becomes its own thread, opened in place, where it is answered live',
    async () => {
      const ada = await openHostPage(`/learning_path/${PATH.hostId}`, ADA);
      const grace = await openHostPage(`/learning_path/${PATH.hostId}`, GRACE);
      try {
        const onAda = widgetOf(ada.page);
        const onGrace = widgetOf(grace.page);
        await widgetComposer(onAda, PATH.name).waitFor({ timeout: OPEN_TIMEOUT_MS });
        await widgetComposer(onGrace, PATH.name).waitFor({ timeout: OPEN_TIMEOUT_MS });
        await waitWidgetOnline(onAda);
        await waitWidgetOnline(onGrace);

        await sendIn(widgetComposer(onAda, PATH.name), 'How long should a system prompt be?');
        const questionOnGrace = widgetMessage(onGrace, PATH.name, 'How long should a system prompt be?');
        await questionOnGrace.waitFor({ timeout: LIVE_TIMEOUT_MS });
        await questionOnGrace.getByRole('button', { name: 'View thread' }).click({ timeout: LIVE_TIMEOUT_MS });
        const threadOnGrace = onGrace.locator('.widget-thread');
        await threadOnGrace.getByText(`${ADA.name} asked in ${PATH.name}`).waitFor({ timeout: UI_TIMEOUT_MS });
        await sendIn(threadOnGrace.getByRole('combobox'), 'As short as it can be while still being specific');

        await widgetMessage(onAda, PATH.name, 'How long should a system prompt be?')
          .getByRole('button', { name: 'View thread' })
          .click({ timeout: LIVE_TIMEOUT_MS });
        const threadOnAda = onAda.locator('.widget-thread');
        await threadOnAda
          .locator('article.msg[data-message-id] .msg__body', { hasText: 'As short as it can be' })
          .waitFor({ timeout: LIVE_TIMEOUT_MS });
        // Answered: Ada marks her question resolved from the widget, and Grace's room shows it.
        await threadOnAda.getByRole('button', { name: 'Mark resolved' }).click();
        await threadOnAda.getByRole('button', { name: 'Reopen thread' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
        await threadOnGrace.getByRole('button', { name: `Back to ${PATH.name}` }).click();
        await questionOnGrace.getByText('Resolved').waitFor({ timeout: LIVE_TIMEOUT_MS });
        // Back in the room, the question is still there; the widget never leaves its room.
        await threadOnAda.getByRole('button', { name: `Back to ${PATH.name}` }).click();
        await widgetComposer(onAda, PATH.name).waitFor({ timeout: UI_TIMEOUT_MS });
        expect(unexpectedErrors(ada)).toEqual([]);
        expect(unexpectedErrors(grace)).toEqual([]);
      } finally {
        await ada.close();
        await grace.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a member who may not read the room, and a signed-out visitor, get a clear message instead of the chat',
    async () => {
      const grace = await openHostPage(`/project/${SECRET_PROJECT.hostId}`, GRACE);
      const visitor = await openHostPage(`/project/${PROJECT.hostId}`, null);
      const missing = await openHostPage('/project/p-nothing-here', GRACE);
      try {
        const onGrace = widgetOf(grace.page);
        await onGrace
          .getByRole('heading', { name: "You can't open this conversation" })
          .waitFor({ timeout: OPEN_TIMEOUT_MS });
        await onGrace.getByRole('alert').getByText('This room is private: only its members can read it.').waitFor();
        expect(await onGrace.getByRole('log').count()).toBe(0);
        expect(await onGrace.getByRole('combobox').count()).toBe(0);
        await grace.page.screenshot({ path: join(SCREENSHOT_DIR, 'widget-no-access.png') });

        const onVisitor = widgetOf(visitor.page);
        await onVisitor.getByRole('heading', { name: 'Sign in to chat' }).waitFor({ timeout: OPEN_TIMEOUT_MS });
        await onVisitor.getByText('Sign in to join the conversation.').waitFor();

        const onMissing = widgetOf(missing.page);
        await onMissing
          .getByRole('heading', { name: 'No conversation here yet' })
          .waitFor({ timeout: OPEN_TIMEOUT_MS });
        await onMissing.getByText('This project has no discussion yet.').waitFor();

        for (const opened of [grace, visitor, missing]) expect(unexpectedErrors(opened)).toEqual([]);
      } finally {
        await grace.close();
        await visitor.close();
        await missing.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'has no serious or critical accessibility violations, light and dark, at a narrow width',
    async () => {
      const room = SECRET_PROJECT.name;
      for (const colorScheme of ['light', 'dark'] as const) {
        // The widget's content policy allows its own scripts only; the scan injects axe-core, so it is lifted here
        // (the other tests run under it and would see any violation as a console error).
        const ada = await openHostPage(`/project/${SECRET_PROJECT.hostId}`, ADA, {
          width: 320,
          colorScheme,
          bypassCSP: true,
        });
        try {
          const onAda = widgetOf(ada.page);
          await widgetComposer(onAda, room).waitFor({ timeout: OPEN_TIMEOUT_MS });
          await waitWidgetOnline(onAda);
          if (colorScheme === 'light') {
            // A lived-in conversation for the scan: a message, a reply quoting it, a reaction.
            await sendIn(widgetComposer(onAda, room), 'Notes for the stealth launch');
            const note = widgetMessage(onAda, room, 'Notes for the stealth launch');
            await note.waitFor({ timeout: LIVE_TIMEOUT_MS });
            await (await actionsOf(note)).getByRole('button', { name: 'Reply' }).click();
            await sendIn(widgetComposer(onAda, room), 'Launch is on Friday');
            const reply = widgetMessage(onAda, room, 'Launch is on Friday');
            await reply.waitFor({ timeout: LIVE_TIMEOUT_MS });
            await (await actionsOf(reply)).getByRole('button', { name: 'Add reaction' }).click();
            await onAda
              .getByRole('group', { name: 'Choose a reaction' })
              .getByRole('button', { name: 'React with party' })
              .click();
            await reply.locator('button.reaction[data-emoji="🎉"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
          }
          await widgetMessage(onAda, room, 'Launch is on Friday').waitFor({ timeout: UI_TIMEOUT_MS });
          await onAda.getByRole('button', { name: /online/ }).click();
          await ada.page.mouse.move(0, 0);
          expect(await seriousViolationsIn(widgetFrame(ada.page))).toEqual([]);
          expect(
            await widgetFrame(ada.page).evaluate<boolean>(
              'document.documentElement.scrollWidth <= document.documentElement.clientWidth',
            ),
          ).toBe(true);
          await ada.page.screenshot({ path: join(SCREENSHOT_DIR, `widget-narrow-${colorScheme}.png`) });
        } finally {
          await ada.close();
        }
      }
      // The whole-frame states are checked too (here: no access).
      const grace = await openHostPage(`/project/${SECRET_PROJECT.hostId}`, GRACE, { width: 320, bypassCSP: true });
      try {
        await widgetOf(grace.page)
          .getByRole('heading', { name: "You can't open this conversation" })
          .waitFor({ timeout: OPEN_TIMEOUT_MS });
        expect(await seriousViolationsIn(widgetFrame(grace.page))).toEqual([]);
      } finally {
        await grace.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a project owner mutes a member from the widget: the member’s composer gives way to the reason at once',
    async () => {
      const MOD_PROJECT = { hostId: 'p-quiet', name: 'Quiet Hours' };
      await integration(`projects/${MOD_PROJECT.hostId}`, { name: MOD_PROJECT.name, ownerHostUserId: ADA.hostId });
      const ada = await openHostPage(`/project/${MOD_PROJECT.hostId}`, ADA);
      const grace = await openHostPage(`/project/${MOD_PROJECT.hostId}`, GRACE);
      try {
        const onAda = widgetOf(ada.page);
        const onGrace = widgetOf(grace.page);
        await widgetComposer(onAda, MOD_PROJECT.name).waitFor({ timeout: OPEN_TIMEOUT_MS });
        await onGrace.getByRole('button', { name: 'Join discussion' }).click({ timeout: OPEN_TIMEOUT_MS });
        await widgetComposer(onGrace, MOD_PROJECT.name).waitFor({ timeout: UI_TIMEOUT_MS });
        await waitWidgetOnline(onGrace);
        await sendIn(widgetComposer(onGrace, MOD_PROJECT.name), 'BUY MY COURSE NOW');

        const onAdaMessage = widgetMessage(onAda, MOD_PROJECT.name, 'BUY MY COURSE NOW');
        await onAdaMessage.waitFor({ timeout: LIVE_TIMEOUT_MS });
        const toolbar = await actionsOf(onAdaMessage);
        await toolbar.getByRole('button', { name: 'More actions' }).click();
        await onAdaMessage
          .getByRole('list', { name: 'More actions' })
          .getByRole('button', { name: 'Mute author in this room' })
          .click();
        const form = onAda.getByRole('form', { name: 'Mute the author in this room' });
        await form.getByRole('button', { name: 'Mute' }).click();

        // Grace's widget learns it from her inbox and reads its view again: no reload.
        await onGrace.getByRole('note').filter({ hasText: /muted/i }).waitFor({ timeout: LIVE_TIMEOUT_MS });
        expect(await widgetComposer(onGrace, MOD_PROJECT.name).count()).toBe(0);
        expect(unexpectedErrors(ada)).toEqual([]);
        expect(unexpectedErrors(grace)).toEqual([]);
      } finally {
        await ada.close();
        await grace.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
