import { codePointAt, codePointBefore, isAlnum } from './chars.ts';
import { LIMITS } from '../rules/limits.ts';
import type { Finding, TrustLevel } from './types.ts';

export interface FoundLink {
  /** As written, for quoting. */
  text: string;
  /** Lower-cased host the link really goes to (after any user@ part, without port). */
  host: string;
  /** Span of the whole link in the body (a Markdown link includes its label), end exclusive. */
  start: number;
  end: number;
  /** Span of the address itself. */
  urlStart: number;
  urlEnd: number;
  /** Span of the host inside the body, so other checks can still read a domain name. */
  hostStart: number;
  hostEnd: number;
  /** A Markdown image, ![alt](url). */
  image: boolean;
  /** An image embedded from inside the app ("/uploads/cat.png"): no host, but still an image. */
  internal?: true;
  /** For a Markdown link whose text is itself an address: the host that text shows. */
  shownHost?: string;
}

// Top-level domains a bare "name.tld" must end in to count as a link. Deliberately not every TLD:
// .md, .sh, .py, .rs, .js, .ts and friends are file names in a coding community ("README.md"), and
// the rest of the 1,500 TLDs are rare in chat. Anything with http(s):// is a link whatever its TLD.
const BARE_TLDS = new Set(
  (
    'com net org edu gov mil int io co ai app dev me info biz xyz gg tv ly us uk ca de fr es it nl eu ru cn jp ' +
    'br au in ch se no fi dk pl be at nz ie kr tw hk sg za mx ar cz pt gr tr ua il site online store shop tech ' +
    'blog news club live link page cloud art top icu click vip pro social'
  ).split(' '),
);

const MARKDOWN_LINK = /(!?)\[([^\]\n]{0,300})\]\(\s*<?([^()\s<>]{1,2048})>?(?:\s+"[^"\n]*")?\s*\)/g;
const SCHEME_URL = /\b(?:https?|ftp):\/\/[^\s<>"'`)\]]+/gi;
const PORT = /:\d{1,5}/y;
const PATH = /[/?#][^\s<>"'`)\]]*/y;
const MAX_LABEL = 63;
const MAX_TLD = 24;
const TRAILING_PUNCTUATION = /[.,;:!?'"]+$/;

interface HostSpan {
  host: string;
  hostStart: number;
  hostEnd: number;
}

/** The host of `url` (which starts at body index `at`), as a browser would read it. */
function hostOf(url: string, at: number): HostSpan {
  const schemeEnd = url.indexOf('://');
  const authorityStart = schemeEnd === -1 ? 0 : schemeEnd + 3;
  let authorityEnd = url.length;
  for (let i = authorityStart; i < url.length; i++) {
    const c = url[i];
    // Browsers treat "\" like "/" in web addresses.
    if (c === '/' || c === '?' || c === '#' || c === '\\') {
      authorityEnd = i;
      break;
    }
  }
  // "https://github.com@evil.io" goes to evil.io: everything before the last @ is a user name.
  const at_ = url.lastIndexOf('@', authorityEnd - 1);
  let hostStart = at_ >= authorityStart ? at_ + 1 : authorityStart;
  let hostEnd = authorityEnd;
  if (url[hostStart] === '[') {
    const close = url.indexOf(']', hostStart);
    if (close !== -1 && close < authorityEnd) hostEnd = close + 1;
  } else {
    const colon = url.indexOf(':', hostStart);
    if (colon !== -1 && colon < authorityEnd) hostEnd = colon;
  }
  while (hostEnd > hostStart && url[hostEnd - 1] === '.') hostEnd--;
  hostStart = Math.min(hostStart, hostEnd);
  return { host: url.slice(hostStart, hostEnd).toLowerCase(), hostStart: at + hostStart, hostEnd: at + hostEnd };
}

function trimTrailing(url: string): string {
  return url.replace(TRAILING_PUNCTUATION, '');
}

function isDomainChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 45;
}

/** Every dot-separated label in text[start, end) is 1–63 letters, digits or inner hyphens. */
function validLabels(text: string, start: number, end: number): boolean {
  let labelStart = start;
  for (let i = start; i <= end; i++) {
    if (i < end && text.charCodeAt(i) !== 46) continue;
    const length = i - labelStart;
    if (length === 0 || length > MAX_LABEL) return false;
    if (text.charCodeAt(labelStart) === 45 || text.charCodeAt(i - 1) === 45) return false;
    labelStart = i + 1;
  }
  return true;
}

interface BareDomain {
  text: string;
  start: number;
}

/**
 * Bare domains ("example.com/x", "www.example.co.uk") in `text`. Each is found from its TLD
 * backwards: looking at dots is one cheap scan, where a regular expression for whole domain names
 * would try to start one at every letter of the message. The TLD must be lower-case as typed, so
 * a sentence missing its space ("did.It") is not a link, and the name must start where a word
 * starts: not inside "user@mail.com", a path, or a longer word.
 */
function findBareDomains(text: string): BareDomain[] {
  const found: BareDomain[] = [];
  for (let dot = text.indexOf('.'); dot !== -1; dot = text.indexOf('.', dot + 1)) {
    let tldEnd = dot + 1;
    while (tldEnd < text.length && tldEnd - dot <= MAX_TLD && isLowerAscii(text.charCodeAt(tldEnd))) tldEnd++;
    const tldLength = tldEnd - dot - 1;
    if (tldLength < 2 || tldLength > MAX_TLD) continue;
    if (tldEnd < text.length) {
      // The TLD has to end the name: not "example.comx", "example.com_x" or "example.com.au" mid-way.
      const next = codePointAt(text, tldEnd);
      if (isAlnum(next) || next === 0x5f || next === 0x2d) continue;
      if (next === 0x2e && tldEnd + 1 < text.length && isAlnum(codePointAt(text, tldEnd + 1))) continue;
    }
    if (!BARE_TLDS.has(text.slice(dot + 1, tldEnd))) continue;
    let start = dot;
    while (start > 0 && isDomainChar(text.charCodeAt(start - 1))) start--;
    if (start > 0) {
      const before = codePointBefore(text, start);
      if (before === 0x40 || before === 0x5f || before === 0x2f || isAlnum(before)) continue;
    }
    if (!validLabels(text, start, tldEnd)) continue;
    let end = tldEnd;
    PORT.lastIndex = end;
    if (PORT.test(text)) end = PORT.lastIndex;
    PATH.lastIndex = end;
    if (PATH.test(text)) end = PATH.lastIndex;
    const domain = trimTrailing(text.slice(start, end));
    found.push({ text: domain, start });
    dot = Math.max(dot, start + domain.length - 1);
  }
  return found;
}

function isLowerAscii(c: number): boolean {
  return c >= 97 && c <= 122;
}

/** The host a Markdown label shows, when the whole label is an address ("github.com", "https://github.com/x"). */
function bareHostOf(label: string): string | undefined {
  const candidate = label.trim().replace(/^(?:https?|ftp):\/\//i, '');
  const [domain] = findBareDomains(candidate);
  if (
    domain === undefined ||
    domain.start !== 0 ||
    domain.text.length !== candidate.replace(TRAILING_PUNCTUATION, '').length
  ) {
    return undefined;
  }
  return hostOf(domain.text, 0).host;
}

/** `text` with each [start, end) range (sorted, not overlapping) replaced by spaces. */
function blankRanges(text: string, ranges: ReadonlyArray<readonly [number, number]>): string {
  if (ranges.length === 0) return text;
  let out = '';
  let from = 0;
  for (const [start, end] of ranges) {
    out += text.slice(from, start) + ' '.repeat(end - start);
    from = end;
  }
  return out + text.slice(from);
}

/**
 * Every link in a message: Markdown links and images, http(s)/ftp addresses anywhere (a curl line
 * in a code block still points somewhere), and bare domains like "example.com/x" in prose only,
 * because in code `req.app` and `user.name` are properties, not websites.
 */
export function extractLinks(body: string, prose: string): FoundLink[] {
  const links: FoundLink[] = [];
  if (!body.includes('.') && !body.includes('://')) return links;
  const taken: Array<[number, number]> = [];

  MARKDOWN_LINK.lastIndex = 0;
  for (let m = MARKDOWN_LINK.exec(prose); m !== null; m = MARKDOWN_LINK.exec(prose)) {
    const whole = m[0];
    const bang = m[1] ?? '';
    const label = m[2] ?? '';
    const target = m[3] ?? '';
    const targetAt = m.index + whole.indexOf(target, bang.length + label.length + 2);
    // Links inside the app ("/rooms/general", "#reply-3") go nowhere new; an image from inside the
    // app is still an image, which new members can't post.
    if (target.startsWith('/') || target.startsWith('#')) {
      if (bang === '!') {
        const end = m.index + whole.length;
        const urlEnd = targetAt + target.length;
        links.push({
          text: target,
          host: '',
          hostStart: targetAt,
          hostEnd: targetAt,
          start: m.index,
          end,
          urlStart: targetAt,
          urlEnd,
          image: true,
          internal: true,
        });
        taken.push([m.index, end]);
      }
      continue;
    }
    const span = /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? hostOf(target, targetAt) : bareSpan(target, targetAt);
    if (span === undefined) continue;
    const shownHost = bareHostOf(label);
    links.push({
      text: target,
      ...span,
      start: m.index,
      end: m.index + whole.length,
      urlStart: targetAt,
      urlEnd: targetAt + target.length,
      image: bang === '!',
      ...(shownHost === undefined ? {} : { shownHost }),
    });
    taken.push([m.index, m.index + whole.length]);
  }

  const markdownCount = taken.length;
  let inside = 0;
  SCHEME_URL.lastIndex = 0;
  for (let m = SCHEME_URL.exec(body); m !== null; m = SCHEME_URL.exec(body)) {
    // Both passes walk the body left to right, so one cursor finds the Markdown link around this URL.
    while (inside < markdownCount && taken[inside]![1] <= m.index) inside++;
    if (inside < markdownCount && taken[inside]![0] <= m.index) continue;
    const text = trimTrailing(m[0]);
    const end = m.index + text.length;
    links.push({ text, ...hostOf(text, m.index), start: m.index, end, urlStart: m.index, urlEnd: end, image: false });
    taken.push([m.index, m.index + text.length]);
  }

  // Blank what is already a link so its parts ("github.com" in a Markdown label) are not read again.
  taken.sort((a, b) => a[0] - b[0]);
  const rest = blankRanges(prose, taken);
  for (const { text, start } of findBareDomains(rest)) {
    const end = start + text.length;
    links.push({ text, ...hostOf(text, start), start, end, urlStart: start, urlEnd: end, image: false });
  }
  return links;
}

function bareSpan(target: string, at: number): HostSpan | undefined {
  const [domain] = findBareDomains(target);
  if (domain === undefined || domain.start !== 0) return undefined;
  return hostOf(target, at);
}

/** "after 10 messages and 3 days": when a new member becomes a member (spec: "Trust Levels"). */
function memberUnlockPhrase(): string {
  const { minMessages, minDays } = LIMITS.trust.member;
  return `after ${minMessages} messages and ${minDays} days`;
}

export interface DomainAllowlist {
  allows(host: string): boolean;
}

/**
 * Trusted domains and their subdomains. "github.com" allows "docs.github.com" but not
 * "github.com.evil.io" or "evil-github.com": the host must equal an entry or end in "." + entry.
 */
export function createDomainAllowlist(domains: readonly string[]): DomainAllowlist {
  const entries = new Set<string>();
  for (const raw of domains) {
    const domain = raw
      .trim()
      .toLowerCase()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
      .replace(/^\*\./, '')
      .replace(/[/?#].*$/, '')
      .replace(/\.+$/, '');
    if (domain.length > 0) entries.add(domain);
  }
  return {
    allows(host: string): boolean {
      // Try the host, then each parent domain: a.b.github.com, b.github.com, github.com, com.
      for (let at = 0; ;) {
        if (entries.has(host.slice(at))) return true;
        const dot = host.indexOf('.', at);
        if (dot === -1) return false;
        at = dot + 1;
      }
    },
  };
}

// Starts with "Links to" so the sentence opens with a capital, not with a lower-case domain name.
function listHosts(hosts: readonly string[]): string {
  if (hosts.length === 1) return `Links to ${hosts[0]!}`;
  if (hosts.length <= 3) return `Links to ${hosts.slice(0, -1).join(', ')} and ${hosts[hosts.length - 1]!}`;
  return `Links to ${hosts.slice(0, 3).join(', ')} and ${hosts.length - 3} more sites`;
}

export interface LinkPolicyInput {
  links: readonly FoundLink[];
  trustLevel: TrustLevel;
  hasImages?: boolean | undefined;
}

/**
 * Spec, "Trust Levels": new members can't post links or images (spam accounts are new accounts);
 * members may link anywhere, but a domain outside the community's trusted list goes to a
 * moderator; trusted members have earned linking freely. A link whose text shows one address and
 * goes to another is phishing's favourite trick, so it is flagged at every level.
 */
export function checkLinks({ links, trustLevel, hasImages }: LinkPolicyInput, allowlist: DomainAllowlist): Finding[] {
  const findings: Finding[] = [];
  if (trustLevel === 'new') {
    if (links.some((l) => !l.image)) {
      findings.push({
        code: 'links.new_member',
        severity: 'block',
        message: `New members can't post links yet; this keeps spam out of the community. New members can post links ${memberUnlockPhrase()}.`,
      });
    }
    if (hasImages === true || links.some((l) => l.image)) {
      findings.push({
        code: 'images.new_member',
        severity: 'block',
        message: `New members can't post images yet; this keeps spam out of the community. New members can post images ${memberUnlockPhrase()}.`,
      });
    }
    return findings;
  }

  const external = links.filter((l) => l.internal !== true);
  const disguised = external.filter((l) => l.shownHost !== undefined && l.shownHost !== l.host);
  if (disguised.length > 0) {
    const first = disguised[0]!;
    findings.push({
      code: 'links.disguised',
      severity: 'flag',
      message: `A link shows ${first.shownHost!} but goes to ${first.host}. A moderator will check it before members click it.`,
    });
  }

  if (trustLevel === 'member') {
    const untrusted = [...new Set(external.map((l) => l.host))].filter((host) => !allowlist.allows(host));
    if (untrusted.length > 0) {
      findings.push({
        code: 'links.untrusted_domain',
        severity: 'flag',
        message: `${listHosts(untrusted)} aren't on this community's list of trusted sites, so a moderator will review ${untrusted.length === 1 ? 'the link before it stays' : 'the links before they stay'} up.`,
      });
    }
  }
  return findings;
}
