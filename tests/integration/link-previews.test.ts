import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import type { Database } from '../../sync-server/db/database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import { createLinkPreviewReader } from '../../sync-server/link-previews/link-preview-reader.ts';
import { unfurlMessage } from '../../workers/handlers/unfurl-message.ts';
import {
  createMember,
  intentDeps,
  loungeRoomId,
  seededDatabase,
  sendIntent,
  unlimitedRateLimiter,
} from '../support/fixtures.ts';
import type { TestDatabase } from '../support/postgres.ts';
import { solidPng } from '../support/png.ts';
import { sweepAttachments } from '../../workers/handlers/sweep-attachments.ts';
import { linkImageKey } from '../../sync-server/link-previews/link-image-id.ts';
import { createTestApp, scratchAttachmentStore, testConfig } from '../support/test-app.ts';

/**
 * A message's first web address gets a card (the page's title, description and site name) through the
 * `unfurl-message` job, against a local web server — which a preview may only read because the test
 * lists it as an allowed private host: by default the server never reads its own machine or network.
 */
describe('link previews (PostgreSQL + a local web server)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let web: Server;
  let site: string;
  let general: string;
  let ada: UserRow;
  let n = 1;
  const hits = new Map<string, number>();
  const published: ChannelChange[] = [];
  const logger = pino({ level: 'silent' });

  const pages: Record<string, (res: import('node:http').ServerResponse) => void> = {
    '/guide': (res) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          '<html><head><meta property="og:title" content="Retrying requests"><meta property="og:description" content="Backoff &amp; jitter, step by step."><meta property="og:site_name" content="Team Docs"></head><body>…</body></html>',
        ),
    '/moved': (res) => res.writeHead(301, { location: '/guide' }).end(),
    '/to-metadata': (res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
    '/file.zip': (res) => res.writeHead(200, { 'content-type': 'application/zip' }).end('PK'),
    '/slow': () => undefined,
    '/with-picture': (res) => page(res, 'Cover story', '/cover.png'),
    '/cover.png': (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(COVER),
    '/with-fake-picture': (res) => page(res, 'Fake cover', '/fake.png'),
    // A page that calls itself a picture: it must never be served on as one.
    '/fake.png': (res) =>
      res.writeHead(200, { 'content-type': 'image/png' }).end('<html><script>alert(1)</script></html>'),
    '/with-huge-picture': (res) => page(res, 'Huge cover', '/huge.png'),
    '/huge.png': (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(2 * 1024 * 1024, 1)),
  };
  const COVER = solidPng(120, 63, [200, 80, 40]);
  function page(res: import('node:http').ServerResponse, title: string, image: string) {
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(
        `<html><head><meta property="og:title" content="${title}"><meta property="og:image" content="${image}"></head></html>`,
      );
  }
  const images = scratchAttachmentStore();
  const act = async (u: UserRow, intent: Record<string, unknown>) => {
    const out = await processIntent(deps, u.id, randomUUID(), { n: n++, createdAt: Date.now(), ...intent });
    if (out.verdict.status !== 'accepted') throw new Error(JSON.stringify(out.verdict));
    return out.verdict;
  };
  const unfurl = (messageId: string, privateHosts: string[] = ['127.0.0.1']) =>
    unfurlMessage(
      {
        db,
        logger,
        preview: createLinkPreviewReader({ privateHosts, images }),
        onChanges: async (changes) => void published.push(...changes),
      },
      { messageId },
    );
  const cardOf = async (messageId: string) =>
    (await db.query<{ link_preview: unknown }>('SELECT link_preview FROM messages WHERE id = $1', [messageId])).rows[0]!
      .link_preview;

  beforeAll(async () => {
    web = createServer((req, res) => {
      hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
      (pages[req.url ?? ''] ?? ((r) => r.writeHead(404).end()))(res);
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    site = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
    ({ testDb, db } = await seededDatabase());
    deps = intentDeps(db, unlimitedRateLimiter);
    general = await loungeRoomId(db, 'general');
    ada = await createMember(db, 'lp_ada');
  });
  afterAll(async () => {
    web?.closeAllConnections();
    web?.close();
    await db?.close();
    await testDb?.drop();
  });

  it('the first address gets its card, reaching replicas as a change of the message; the page is read once a day', async () => {
    const sent = await act(ada, sendIntent(general, `read **[this](${site}/guide)** first, then ${site}/other`));
    published.length = 0;
    expect(await unfurl(sent.messageId!)).toEqual({ preview: true });
    const card = {
      url: `${site}/guide`,
      title: 'Retrying requests',
      description: 'Backoff & jitter, step by step.',
      siteName: 'Team Docs',
    };
    expect(await cardOf(sent.messageId!)).toEqual(card);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      kind: 'message',
      channelId: general,
      message: { id: sent.messageId, linkPreview: card },
    });

    // Another message with the same link: the card from the cache, the page not read again.
    const again = await act(ada, sendIntent(general, `${site}/guide is good`));
    expect(await unfurl(again.messageId!)).toEqual({ preview: true });
    expect(hits.get('/guide')).toBe(1);
  });

  it('an edit that drops the link drops the card; one that changes it gets the new one (through a redirect)', async () => {
    const sent = await act(ada, sendIntent(general, `see ${site}/guide`));
    await unfurl(sent.messageId!);
    await act(ada, { kind: 'edit', messageId: sent.messageId, body: 'never mind' });
    published.length = 0;
    expect(await unfurl(sent.messageId!)).toEqual({ preview: false });
    expect(await cardOf(sent.messageId!)).toBeNull();
    expect(published).toHaveLength(1);
    await act(ada, { kind: 'edit', messageId: sent.messageId, body: `see ${site}/moved` });
    expect(await unfurl(sent.messageId!)).toEqual({ preview: true });
    expect(await cardOf(sent.messageId!)).toMatchObject({ url: `${site}/moved`, title: 'Retrying requests' });
  });

  it('never reads this machine or its network unless listed, nor a redirect into it, nor anything but a page', async () => {
    for (const path of ['/guide-unlisted', '/to-metadata', '/file.zip']) {
      const target = path === '/guide-unlisted' ? `http://localhost:${new URL(site).port}/guide` : `${site}${path}`;
      const sent = await act(ada, sendIntent(general, `look: ${target}`));
      // Unlisted: localhost resolves to 127.0.0.1, which is not public.
      expect(await unfurl(sent.messageId!, path === '/guide-unlisted' ? [] : ['127.0.0.1']), path).toEqual({
        preview: false,
      });
      expect(await cardOf(sent.messageId!), path).toBeNull();
    }
    // The metadata address was never requested: the redirect was refused before connecting.
    expect(hits.get('/to-metadata')).toBe(1);
  });

  it("the page's picture is copied to this server, which serves it to anyone by its hash; a fake or huge one is left out", async () => {
    const sent = await act(ada, sendIntent(general, `cover: ${site}/with-picture`));
    expect(await unfurl(sent.messageId!)).toEqual({ preview: true });
    const card = (await cardOf(sent.messageId!)) as {
      title: string;
      image: { id: string; width: number; height: number };
    };
    expect(card).toMatchObject({ title: 'Cover story', image: { width: 120, height: 63 } });
    expect(card.image.id).toMatch(/^[0-9a-f]{64}\.png$/);

    // Readers load the copy, without signing in (an <img> sends no token), cached for good.
    const app = await createTestApp(db, testConfig(), { attachments: images });
    try {
      const res = await app.inject({ method: 'GET', url: `/api/link-images/${card.image.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['cache-control']).toContain('immutable');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(Buffer.compare(res.rawPayload, COVER)).toBe(0);
      // Not an id a card gives: refused with a reason; an unknown picture: 404.
      const bad = await app.inject({ method: 'GET', url: '/api/link-images/..%2F..%2Fetc%2Fpasswd' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toMatch(/picture id/);
      const unknown = await app.inject({ method: 'GET', url: `/api/link-images/${'0'.repeat(64)}.png` });
      expect(unknown.statusCode).toBe(404);
    } finally {
      await app.close();
    }

    // A "picture" that is a page, or one over 1 MB: the card keeps its words and has no picture.
    for (const path of ['/with-fake-picture', '/with-huge-picture']) {
      const other = await act(ada, sendIntent(general, `look: ${site}${path}`));
      expect(await unfurl(other.messageId!), path).toEqual({ preview: true });
      const withoutPicture = (await cardOf(other.messageId!)) as Record<string, unknown>;
      expect(withoutPicture.title, path).toMatch(/cover/);
      expect(withoutPicture.image, path).toBeUndefined();
    }
    expect(hits.get('/fake.png')).toBe(1);

    // The picture is kept while a card shows it, and swept (a day later) once none does.
    const id = card.image.id;
    const tomorrow = () => new Date(Date.now() + 25 * 3_600_000);
    const sweep = () => sweepAttachments({ db, store: images, logger, now: tomorrow }, {});
    const stored = async () => (await images.get(linkImageKey(id))) !== null;
    expect((await db.query('SELECT 1 FROM link_images WHERE id = $1', [id])).rows).toHaveLength(1);
    await sweep();
    expect(await stored()).toBe(true);
    await act(ada, { kind: 'edit', messageId: sent.messageId, body: 'no link any more' });
    await unfurl(sent.messageId!);
    // The page's cached card still names it (another message may link the page tomorrow).
    await sweep();
    expect(await stored()).toBe(true);
    await db.query('DELETE FROM link_previews WHERE url = $1', [`${site}/with-picture`]);
    await sweep();
    expect(await stored()).toBe(false);
    expect((await db.query('SELECT 1 FROM link_images WHERE id = $1', [id])).rows).toHaveLength(0);
  });

  it('a page that never answers gives no card after the time limit, and nothing waits on it', async () => {
    const sent = await act(ada, sendIntent(general, `slow: ${site}/slow`));
    const started = Date.now();
    expect(await unfurl(sent.messageId!)).toEqual({ preview: false });
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 20_000);
});
