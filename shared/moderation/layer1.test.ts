import { describe, it, expect } from 'vitest';
import { LIMITS } from '../rules/limits.ts';
import { createLayer1Filter, moderateLayer1 } from './index.ts';
import type { Layer1Config, Layer1Input } from './index.ts';

const config: Layer1Config = {
  allowedLinkDomains: ['github.com', 'youtu.be', 'lounge.example'],
  extraBlockedWords: ['noob'],
  allowedWords: ['hentai'],
};
const filter = createLayer1Filter(config);
const check = (body: string, more: Partial<Layer1Input> = {}) => filter.check({ body, trustLevel: 'member', ...more });
const codes = (body: string, more: Partial<Layer1Input> = {}) => check(body, more).reasons.map((r) => r.code);

describe('what a member sees for everyday messages', () => {
  it.each([
    'hey everyone, how is the new sampler working for you?',
    "const assert = require('assert')",
    'git push --force',
    'kill -9 1234',
    'Scunthorpe, assessment, class, cocktail, shiitake, analysis',
    'here is my workflow:\n```python\nfor step in range(MAX_STEPS):\n    img = pipe(prompt).images[0]\n```',
    'see https://github.com/lounge/app/pull/42',
  ])('%j is allowed with no reasons', (body) => {
    expect(check(body)).toEqual({ verdict: 'allow', reasons: [] });
  });

  it('allows empty and whitespace-only text (the composer decides whether to send it)', () => {
    expect(check('')).toEqual({ verdict: 'allow', reasons: [] });
    expect(check(' \n\t ')).toEqual({ verdict: 'allow', reasons: [] });
  });
});

describe('profanity', () => {
  it('refuses strong profanity and tells the member what to change', () => {
    const result = check('this is f.u.c.k.i.n.g great');
    expect(result.verdict).toBe('block');
    expect(result.reasons).toEqual([
      {
        code: 'profanity.blocked',
        message:
          'Slurs and strong profanity like "f.u.c.k" aren\'t allowed here, so this message wasn\'t sent. Please reword it.',
      },
    ]);
  });

  it('posts mild swearing but queues it for a moderator', () => {
    expect(check('that bug was sh1t')).toEqual({
      verdict: 'flag',
      reasons: [
        {
          code: 'profanity.flagged',
          message: 'This message contains "sh1t", which some members may find offensive. A moderator may review it.',
        },
      ],
    });
  });

  it("refuses the community's own words and allows the words it allowed", () => {
    expect(codes('what a n00b')).toEqual(['profanity.community']);
    expect(check('hentai art style references')).toEqual({ verdict: 'allow', reasons: [] });
  });

  it('does not read video ids and paths in links as swearing, but does read domain names', () => {
    expect(check('watch https://youtu.be/xFuCkabc123')).toEqual({ verdict: 'allow', reasons: [] });
    expect(codes('go to fuckyou.com')).toEqual(['profanity.blocked', 'links.untrusted_domain']);
  });
});

describe('links by trust level', () => {
  it('refuses links from new members, saying why and when they can', () => {
    const result = check('my portfolio: https://github.com/sam', { trustLevel: 'new' });
    expect(result.verdict).toBe('block');
    expect(result.reasons).toEqual([
      {
        code: 'links.new_member',
        message:
          "New members can't post links yet; this keeps spam out of the community. New members can post links after 10 messages and 3 days.",
      },
    ]);
  });

  it('refuses images from new members', () => {
    expect(check('my render', { trustLevel: 'new', hasImages: true }).verdict).toBe('block');
    expect(check('my render', { trustLevel: 'member', hasImages: true }).verdict).toBe('allow');
  });

  it('allows a member to link a trusted site and flags a look-alike', () => {
    expect(check('https://docs.github.com/en').verdict).toBe('allow');
    expect(check('https://github.com.evil.io/login')).toEqual({
      verdict: 'flag',
      reasons: [
        {
          code: 'links.untrusted_domain',
          message:
            "Links to github.com.evil.io aren't on this community's list of trusted sites, so a moderator will review the link before it stays up.",
        },
      ],
    });
  });

  it('lets trusted members link anywhere', () => {
    expect(check('https://example.com/post', { trustLevel: 'trusted' }).verdict).toBe('allow');
  });
});

describe('spam', () => {
  it('refuses a message the member just sent', () => {
    const body = 'Selling prompt packs, DM me for prices';
    expect(check(body, { recentBodies: ['hi', body] }).reasons.map((r) => r.code)).toEqual(['spam.repeat']);
  });

  it('refuses a mention flood and flags shouting', () => {
    expect(codes('@amy @ben @cat @dan @eve @fay look')).toEqual(['spam.mentions']);
    expect(codes('EVERYONE PLEASE LOOK AT THIS RIGHT NOW')).toEqual(['spam.caps']);
  });
});

describe('the verdict and its reasons', () => {
  it('takes the worst finding as the verdict and lists what stopped the message first', () => {
    const result = check('LOOK AT THIS NOOB EVERYONE, REALLY!!!!!!!!!!');
    expect(result.verdict).toBe('block');
    expect(result.reasons.map((r) => r.code)).toEqual(['profanity.community', 'spam.caps', 'spam.repeated_chars']);
  });

  it('writes every reason as a sentence short enough to store as a refusal', () => {
    const messy = `NOOB ${'@a1 @b2 @c3 @d4 @e5 @f6'} sh1t f.u.c.k https://evil.io [github.com](https://x.io) ${'!'.repeat(12)}`;
    const result = check(messy, { recentBodies: [messy] });
    expect(result.reasons.length).toBeGreaterThan(4);
    for (const { message } of [...result.reasons, ...check('x', { trustLevel: 'new', hasImages: true }).reasons]) {
      expect(message).toMatch(/^[A-Z"].*[.!?]$/);
      expect(message.length).toBeLessThanOrEqual(LIMITS.text.refusalReasonMaxChars);
    }
  });

  it('gives the same answer through the one-call form', () => {
    const input: Layer1Input = { body: 'sh1t', trustLevel: 'member' };
    expect(moderateLayer1(input, config)).toEqual(filter.check(input));
    expect(moderateLayer1(input, config)).toEqual(filter.check(input));
  });
});

describe('long and hostile input', () => {
  const words = 'the prompt render model workflow seed sampler upscale class analysis compass '.split(' ');
  const longProse = Array.from({ length: 800 }, (_, i) => words[i % words.length])
    .join(' ')
    .slice(0, 4000);

  it('checks a full 4,000-character message', () => {
    expect(longProse.length).toBe(4000);
    expect(check(longProse)).toEqual({ verdict: 'allow', reasons: [] });
    expect(check(`${longProse.slice(0, 3990)} f u c k`).verdict).toBe('block');
  });

  it('counts length in characters, as the database does: 4,000 emoji fit', () => {
    expect(codes('🎨'.repeat(4000))).not.toContain('message.too_long');
    expect(check('a'.repeat(4001))).toEqual({
      verdict: 'block',
      reasons: [
        {
          code: 'message.too_long',
          message: 'Messages can be up to 4,000 characters; this one has 4,001. Please split it into shorter messages.',
        },
      ],
    });
  });

  const hostile: Array<[string, string]> = [
    ['one character 4,000 times', 'a'.repeat(4000)],
    ['4,000 mixed unicode characters', Array.from({ length: 4000 }, (_, i) => 'é漢ж🙂𝐟Ⓐｗ\u200bعß'[i % 10]).join('')],
    ['4,000 emoji', '😂'.repeat(4000)],
    ['spaced single letters', 'a '.repeat(2000)],
    ['dotted single letters', 's.h.'.repeat(1000)],
    ['whitelisted near-misses', 'assessment '.repeat(363)],
    ['profanity in every word', 'shit '.repeat(800)],
    ['hundreds of bare domains', 'x.com '.repeat(666)],
    ['hundreds of markdown links', '[github.com](https://evil.io) '.repeat(129)],
    ['unclosed code fences', '`'.repeat(4000)],
    ['newlines only', '\n'.repeat(4000)],
  ];

  it.each(hostile)('finishes %s quickly', (_name, body) => {
    filter.check({ body, trustLevel: 'member', recentBodies: [body] });
    let fastest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      filter.check({ body, trustLevel: 'member', recentBodies: [body] });
      fastest = Math.min(fastest, performance.now() - start);
    }
    // The budget is 1 ms at p99 (measured by bench/layer1, not here); this only catches runaway
    // (quadratic) work. The fastest of five runs is immune to GC pauses and a busy CI machine.
    expect(fastest).toBeLessThan(25);
  });
});
