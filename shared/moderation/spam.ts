import {
  ALNUM,
  EMOJI,
  LOWER,
  UPPER,
  classOf,
  codePointAt,
  codePointBefore,
  isAlnum,
  isAsciiSpace,
  isSpace,
} from './chars.ts';
import type { Finding } from './types.ts';

/**
 * Where each spam pattern starts. A message exactly at a "max" is fine; one more trips the check.
 * A message at a "min" (caps letters, run length, blank lines) trips it.
 */
export const SPAM_LIMITS = {
  /** How many of the author's latest messages a new one may not repeat. */
  repeatLookback: 3,
  /**
   * Short replies ("ok", "thanks!", "+1", "same here") are naturally said twice in a conversation,
   * so only messages with at least this many letters and digits count as repeats.
   */
  repeatMinAlphanumerics: 10,
  /** Shouting: this share of uppercase among the cased letters... */
  capsRatio: 0.7,
  /** ...once there are enough letters for it to read as shouting rather than an acronym. */
  capsMinLetters: 20,
  /** "!!!!!!!!!!", "nooooooooo", "😂😂😂😂😂😂😂😂😂😂". */
  charRunMin: 10,
  /** Distinct @handles one message may ping; past this it is a mention flood. */
  maxMentions: 5,
  maxEmoji: 30,
  /** Consecutive empty lines that push the conversation off screen. */
  blankLinesMin: 5,
} as const;

export interface SpamInput {
  body: string;
  /** The body with code blanked out (see code-spans.ts). */
  prose: string;
  recentBodies?: readonly string[] | undefined;
}

/** What one pass over the prose learns; the shouting, emoji and run checks all read it. */
export interface ProseStats {
  upper: number;
  lower: number;
  emoji: number;
  /** The first character repeated `charRunMin` times in a row, or -1. */
  runChar: number;
}

const BLANK_LINES = new RegExp(`\\n(?:[ \\t\\r]*\\n){${SPAM_LIMITS.blankLinesMin},}`);
// Handles as the users table allows them (LIMITS.handle): 2–32 of A–Z, 0–9, "_", "." and "-".
const HANDLE = /[A-Za-z0-9_][A-Za-z0-9_.-]{1,31}/y;
// "thanks @bob." pings bob: a dot or dash ending a handle is almost always punctuation.
const TRAILING_PUNCTUATION = /[.-]+$/;
// Whitespace, digits and Markdown rule characters repeat legitimately: "----------", "==========",
// "1000000000", indentation.
const RUN_EXEMPT = new Set([...'-=_*#~0123456789'].map((c) => c.charCodeAt(0)));

export function measureProse(prose: string): ProseStats {
  let upper = 0;
  let lower = 0;
  let emoji = 0;
  let runChar = -1;
  let last = -1;
  let run = 0;
  for (let i = 0; i < prose.length; i++) {
    const cp = codePointAt(prose, i);
    if (cp > 0xffff) i++;
    if (cp < 128) {
      if (cp >= 65 && cp <= 90) upper++;
      else if (cp >= 97 && cp <= 122) lower++;
    } else {
      const c = classOf(cp);
      if (c & UPPER) upper++;
      else if (c & LOWER) lower++;
      if (c & EMOJI) emoji++;
    }
    if (cp !== last) {
      last = cp;
      run = 1;
    } else if (++run >= SPAM_LIMITS.charRunMin && runChar === -1 && !RUN_EXEMPT.has(cp) && !isSpace(cp)) {
      runChar = cp;
    }
  }
  return { upper, lower, emoji, runChar };
}

/**
 * Same text once case and whitespace are set aside ("Buy  NOW" repeats "buy now"), compared in
 * place: two different messages usually differ within a few characters, so this rarely reads far.
 */
export function sameMessage(a: string, b: string): boolean {
  const spaceAt = (s: string, k: number): boolean => {
    const c = s.charCodeAt(k);
    return c < 128 ? isAsciiSpace(c) : isSpace(c);
  };
  const skipSpace = (s: string, k: number): number => {
    while (k < s.length && spaceAt(s, k)) k++;
    return k;
  };
  let i = skipSpace(a, 0);
  let j = skipSpace(b, 0);
  while (i < a.length && j < b.length) {
    const spaceA = spaceAt(a, i);
    const spaceB = spaceAt(b, j);
    if (spaceA || spaceB) {
      if (!(spaceA && spaceB)) return false;
      i = skipSpace(a, i);
      j = skipSpace(b, j);
      continue;
    }
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (ca !== cb) {
      const la = ca >= 65 && ca <= 90 ? ca + 32 : ca;
      const lb = cb >= 65 && cb <= 90 ? cb + 32 : cb;
      if (la !== lb && (la < 128 || lb < 128 || a[i]!.toLowerCase() !== b[j]!.toLowerCase())) return false;
    }
    i++;
    j++;
  }
  // Trailing whitespace on one side only is still the same message.
  return skipSpace(a, i) === a.length && skipSpace(b, j) === b.length;
}

function hasEnoughToRepeat(body: string): boolean {
  let alphanumerics = 0;
  for (let i = 0; i < body.length && alphanumerics < SPAM_LIMITS.repeatMinAlphanumerics; i++) {
    const cp = codePointAt(body, i);
    if (cp > 0xffff) i++;
    const alnum =
      cp < 128
        ? (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122)
        : (classOf(cp) & ALNUM) !== 0;
    if (alnum) alphanumerics++;
  }
  return alphanumerics >= SPAM_LIMITS.repeatMinAlphanumerics;
}

export function checkRepeat(body: string, recentBodies: readonly string[] = []): Finding[] {
  if (recentBodies.length === 0 || !hasEnoughToRepeat(body)) return [];
  const latest = recentBodies.slice(-SPAM_LIMITS.repeatLookback);
  if (!latest.some((recent) => sameMessage(recent, body))) return [];
  return [
    {
      code: 'spam.repeat',
      severity: 'block',
      message: "You just sent this same message. Posting it again won't get it seen faster, so it wasn't sent twice.",
    },
  ];
}

export function checkCaps({ upper, lower }: ProseStats): Finding[] {
  const letters = upper + lower;
  if (letters < SPAM_LIMITS.capsMinLetters || upper < SPAM_LIMITS.capsRatio * letters) return [];
  return [
    {
      code: 'spam.caps',
      severity: 'flag',
      message: 'Most of this message is in capital letters, which reads as shouting. A moderator may review it.',
    },
  ];
}

export function checkCharRuns({ runChar }: ProseStats): Finding[] {
  if (runChar === -1) return [];
  return [
    {
      code: 'spam.repeated_chars',
      severity: 'flag',
      message: `This message repeats "${String.fromCodePoint(runChar)}" many times in a row. A moderator may review it.`,
    },
  ];
}

export function checkEmoji({ emoji }: ProseStats): Finding[] {
  if (emoji <= SPAM_LIMITS.maxEmoji) return [];
  return [
    {
      code: 'spam.emoji',
      severity: 'flag',
      message: `This message has ${emoji} emoji, more than the ${SPAM_LIMITS.maxEmoji} a message usually needs. A moderator may review it.`,
    },
  ];
}

export function checkMentions(prose: string): Finding[] {
  if (!prose.includes('@')) return [];
  const handles = new Set<string>();
  for (
    let at = prose.indexOf('@');
    at !== -1 && handles.size <= SPAM_LIMITS.maxMentions;
    at = prose.indexOf('@', at + 1)
  ) {
    // An @ glued to a word is an e-mail address or a decorator-like token, not a ping.
    const before = at > 0 ? codePointBefore(prose, at) : -1;
    if (before !== -1 && (isAlnum(before) || before === 0x5f || before === 0x40 || before === 0x2e)) continue;
    HANDLE.lastIndex = at + 1;
    const handle = HANDLE.exec(prose);
    if (handle !== null) handles.add(handle[0].replace(TRAILING_PUNCTUATION, '').toLowerCase());
  }
  if (handles.size <= SPAM_LIMITS.maxMentions) return [];
  return [
    {
      code: 'spam.mentions',
      severity: 'block',
      message: `This message mentions more than ${SPAM_LIMITS.maxMentions} people; you can mention at most ${SPAM_LIMITS.maxMentions} people in one message.`,
    },
  ];
}

export function checkBlankLines(prose: string): Finding[] {
  if (!BLANK_LINES.test(prose)) return [];
  return [
    {
      code: 'spam.blank_lines',
      severity: 'flag',
      message:
        'This message has long stretches of empty lines that push the conversation off screen. A moderator may review it.',
    },
  ];
}

export function checkSpam({ body, prose, recentBodies }: SpamInput): Finding[] {
  const stats = measureProse(prose);
  return [
    ...checkRepeat(body, recentBodies),
    ...checkMentions(prose),
    ...checkCaps(stats),
    ...checkCharRuns(stats),
    ...checkEmoji(stats),
    ...checkBlankLines(prose),
  ];
}
