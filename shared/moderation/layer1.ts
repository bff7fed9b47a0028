import { LIMITS } from '../rules/limits.ts';
import { charCount } from '../rules/text.ts';
import { blankOutCode } from './code-spans.ts';
import { checkLinks, createDomainAllowlist, extractLinks } from './links.ts';
import type { FoundLink } from './links.ts';
import { createProfanityMatcher } from './profanity.ts';
import type { ProfanityHit } from './profanity.ts';
import { checkSpam } from './spam.ts';
import type { Finding, Layer1Config, Layer1Input, Layer1Result, Verdict } from './types.ts';

export interface Layer1Filter {
  check(input: Layer1Input): Layer1Result;
}

const RANK: Record<Verdict, number> = { allow: 0, flag: 1, block: 2 };

// "4,000": written out rather than toLocaleString, whose output depends on the runtime's locale data.
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * The body as the profanity matcher should read it: link paths and queries blanked, hosts kept.
 * Video ids and hashes ("youtu.be/xFuCkz…") fold into letter soup that trips the dataset at random,
 * while a profane domain name is still seen. A profane path on a trusted site is left to Layer 2.
 */
function withoutLinkPaths(body: string, links: readonly FoundLink[]): string {
  if (links.length === 0) return body;
  const spans = [...links].sort((a, b) => a.urlStart - b.urlStart);
  let out = '';
  let from = 0;
  for (const link of spans) {
    if (link.urlStart < from) continue;
    out += body.slice(from, link.urlStart);
    out += ' '.repeat(link.hostStart - link.urlStart);
    out += body.slice(link.hostStart, link.hostEnd);
    out += ' '.repeat(link.urlEnd - link.hostEnd);
    from = link.urlEnd;
  }
  return out + body.slice(from);
}

function quoteWords(hits: readonly ProfanityHit[]): string {
  return [...new Set(hits.map((h) => `"${h.excerpt}"`))].slice(0, 3).join(', ');
}

function profanityFindings(hits: readonly ProfanityHit[]): Finding[] {
  const community = hits.filter((h) => h.community);
  if (community.length > 0) {
    return [
      {
        code: 'profanity.community',
        severity: 'block',
        message: `This community doesn't allow ${quoteWords(community)} in messages. Please reword it before sending.`,
      },
    ];
  }
  const blocked = hits.filter((h) => h.severity === 'block');
  if (blocked.length > 0) {
    return [
      {
        code: 'profanity.blocked',
        severity: 'block',
        message: `Slurs and strong profanity like ${quoteWords(blocked)} aren't allowed here, so this message wasn't sent. Please reword it.`,
      },
    ];
  }
  if (hits.length > 0) {
    return [
      {
        code: 'profanity.flagged',
        severity: 'flag',
        message: `This message contains ${quoteWords(hits)}, which some members may find offensive. A moderator may review it.`,
      },
    ];
  }
  return [];
}

/**
 * Builds Layer 1 for one community configuration. Construction compiles the word lists (tens of
 * milliseconds); `check` is the hot path, so build once per configuration and keep the filter.
 */
export function createLayer1Filter(config: Layer1Config): Layer1Filter {
  const profanity = createProfanityMatcher({
    ...(config.extraBlockedWords ? { extraBlockedWords: config.extraBlockedWords } : {}),
    ...(config.allowedWords ? { allowedWords: config.allowedWords } : {}),
  });
  const allowlist = createDomainAllowlist(config.allowedLinkDomains);

  return {
    check({ body, trustLevel, recentBodies, hasImages }: Layer1Input): Layer1Result {
      // The spec's 4,000-character limit, counted as the database counts it. Refusing longer text
      // up front also bounds every check below, and nothing can hide past the part that was read.
      const length = charCount(body);
      if (length > LIMITS.text.messageBodyMaxChars) {
        return {
          verdict: 'block',
          reasons: [
            {
              code: 'message.too_long',
              message: `Messages can be up to ${thousands(LIMITS.text.messageBodyMaxChars)} characters; this one has ${thousands(length)}. Please split it into shorter messages.`,
            },
          ],
        };
      }

      const prose = blankOutCode(body);
      const links = extractLinks(body, prose);
      const findings: Finding[] = [
        ...profanityFindings(profanity.scan(withoutLinkPaths(body, links))),
        ...checkSpam({ body, prose, recentBodies }),
        ...checkLinks({ links, trustLevel, hasImages }, allowlist),
      ];

      let verdict: Verdict = 'allow';
      for (const f of findings) if (RANK[f.severity] > RANK[verdict]) verdict = f.severity;
      // What stopped the message comes first: that is the sentence the composer shows.
      findings.sort((a, b) => RANK[b.severity] - RANK[a.severity]);
      return { verdict, reasons: findings.map(({ code, message }) => ({ code, message })) };
    },
  };
}

const filters = new WeakMap<Layer1Config, Layer1Filter>();

/**
 * One-call form of Layer 1. The filter built for a configuration object is kept for as long as
 * that object lives, so callers that pass the same config object pay construction once.
 */
export function moderateLayer1(input: Layer1Input, config: Layer1Config): Layer1Result {
  let filter = filters.get(config);
  if (filter === undefined) {
    filter = createLayer1Filter(config);
    filters.set(config, filter);
  }
  return filter.check(input);
}
