import {
  DataSet,
  SyntaxKind,
  englishDataset,
  parseRawPattern,
  resolveConfusablesTransformer,
  resolveLeetSpeakTransformer,
  toAsciiLowerCaseTransformer,
} from 'obscenity';
import type { EnglishProfaneWord, Node, ParsedPattern } from 'obscenity';
import { codePointAt, isAlnum } from './chars.ts';
import { charEnd, createFolder } from './fold.ts';
import type { FoldSpec, Folder, FoldedText } from './fold.ts';
import type { Severity } from './types.ts';
import { DATASET_SEVERITY, EXTRA_SAFE_TERMS, PATTERN_OVERRIDES } from './wordlist.ts';

export interface ProfanityOptions {
  extraBlockedWords?: readonly string[];
  allowedWords?: readonly string[];
}

export interface ProfanityHit {
  /** The dataset word ("fuck") or the community word as configured. */
  word: string;
  severity: Severity;
  /** True when the word came from the community's own list rather than the English dataset. */
  community: boolean;
  /** Span in the scanned text, end exclusive. */
  start: number;
  end: number;
  /** What the member typed, tidied for quoting back to them. */
  excerpt: string;
}

export interface ProfanityMatcher {
  /**
   * The offending words in `text`. Stops at the first block-level word, since nothing after it can
   * change the verdict, so the list is a sample for the member's reason, not an inventory.
   */
  scan(text: string): ProfanityHit[];
}

interface Term {
  word: string;
  severity: Severity;
  community: boolean;
  /** Sticky copy, to ask "does this term match exactly here?" and so name the term a hit belongs to. */
  sticky: RegExp;
  /** First folded characters a match can start with; null when the pattern can start with anything. */
  firstChars: readonly number[] | null;
  /** Longest match in folded characters. */
  maxLength: number;
}

interface StartBucket {
  terms: readonly Term[];
  maxLength: number;
}

interface Alternation {
  /** Every term in one regular expression, without capture groups (a 120-slot match array per hit is costly). */
  re: RegExp;
  /** Terms that can start with a given folded character, in severity order, to name the term found. */
  byFirstChar: ReadonlyMap<number, StartBucket>;
  anyStart: StartBucket;
}

// A message is at most a few thousand characters; this many candidate positions only happens on
// input built to stall the filter (thousands of whitelisted near-misses), so stop looking there.
const MAX_CANDIDATES = 400;
// Whitelist questions are answered from a window around each match (about a microsecond); a
// message that keeps asking (dozens of near-misses) gets one pass over the whole text instead
// (tens of microseconds), so the cost stays bounded either way.
const LOCAL_WHITELIST_CHECKS = 48;
// Extra room either side of a window, for whitelisted phrases typed with runs of spaces.
const WINDOW_SLACK = 16;
const EXCERPT_MAX = 40;

// A "spaced" run is three or more single characters split by light separators: "s h i t",
// "f.u.c.k", "s-h-1-t". Leet symbols count as characters because "$ h ! t" is the same trick.
const MIN_SPACED_TOKENS = 3;
const MAX_SEPARATORS = 3;
const SEPARATORS = new Set([...' \t\n\r._*-,+~·•'].map((c) => c.charCodeAt(0)));
const ASCII_TOKEN = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@$!') ASCII_TOKEN[c.charCodeAt(0)] = 1;
const isToken = (cp: number): boolean => (cp < 128 ? ASCII_TOKEN[cp] === 1 : isAlnum(cp));

/**
 * obscenity's englishRecommendedBlacklistMatcherTransformers, spelt out so the folder can run the
 * collapse step inline (see fold.ts); fold.test.ts checks the two still agree after upgrades.
 * The letters kept doubled are the ones English profanity needs doubled: a_ss_, ni_gg_er, b_oo_nga.
 */
export const BLACKLIST_FOLD: FoldSpec = {
  map: [resolveConfusablesTransformer(), resolveLeetSpeakTransformer(), toAsciiLowerCaseTransformer()],
  collapse: {
    defaultThreshold: 1,
    customThresholds: new Map([
      ['b', 2],
      ['e', 2],
      ['o', 2],
      ['l', 2],
      ['s', 2],
      ['g', 2],
    ]),
  },
};

let blacklistFolder: Folder | undefined;

// Building a folder tables 65,536 characters; every matcher shares one.
function sharedFolder(): Folder {
  blacklistFolder ??= createFolder(BLACKLIST_FOLD);
  return blacklistFolder;
}

const REGEXP_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

// Same translation obscenity's RegExpMatcher uses, so dataset patterns mean what their authors meant.
function nodeSource(node: Node): string {
  switch (node.kind) {
    case SyntaxKind.Literal:
      return String.fromCodePoint(...node.chars).replace(REGEXP_SPECIAL, '\\$&');
    case SyntaxKind.Optional:
      return `(?:${nodeSource(node.childNode)})?`;
    case SyntaxKind.Wildcard:
      return '.';
  }
}

export function compilePattern(pattern: ParsedPattern): string {
  return (
    (pattern.requireWordBoundaryAtStart ? '\\b' : '') +
    pattern.nodes.map(nodeSource).join('') +
    (pattern.requireWordBoundaryAtEnd ? '\\b' : '')
  );
}

function firstCharsOf(pattern: ParsedPattern): number[] | null {
  const chars: number[] = [];
  for (const node of pattern.nodes) {
    const child = node.kind === SyntaxKind.Optional ? node.childNode : node;
    if (child.kind === SyntaxKind.Wildcard) return null;
    chars.push(child.chars[0]!);
    if (node.kind !== SyntaxKind.Optional) return chars;
  }
  return null;
}

function maxLengthOf(pattern: ParsedPattern): number {
  let length = 0;
  for (const node of pattern.nodes) {
    const child = node.kind === SyntaxKind.Optional ? node.childNode : node;
    length += child.kind === SyntaxKind.Wildcard ? 1 : child.chars.length;
  }
  return length;
}

function bucketOf(terms: readonly Term[]): StartBucket {
  return { terms, maxLength: terms.reduce((max, t) => Math.max(max, t.maxLength), 0) };
}

function buildAlternation(terms: readonly Term[]): Alternation {
  const anyStart = terms.filter((t) => t.firstChars === null);
  const startChars = new Set(terms.flatMap((t) => t.firstChars ?? []));
  const byFirstChar = new Map<number, StartBucket>();
  for (const c of startChars) {
    byFirstChar.set(c, bucketOf(terms.filter((t) => t.firstChars === null || t.firstChars.includes(c))));
  }
  // An empty alternation must match nothing, not the empty string.
  const source = terms.length === 0 ? '(?!)' : terms.map((t) => `(?:${t.sticky.source})`).join('|');
  return { re: new RegExp(source, 'gs'), byFirstChar, anyStart: bucketOf(anyStart) };
}

/**
 * One pass finds every whitelisted term in the raw text. obscenity compares whitelisted terms with
 * the text lower-cased and runs of spaces collapsed; lower-casing first and " +" do the same in
 * place, so positions need no mapping. Longest terms first: at any start the widest excuse wins.
 */
interface Whitelist {
  /** For text already lower-cased: case-sensitive matching is markedly faster. */
  lower: RegExp;
  /** For the rare text whose lower-casing changes its length ("İ"), so positions would shift. */
  anyCase: RegExp;
  longest: number;
}

function compileWhitelist(terms: Iterable<string>): Whitelist {
  const words = [...new Set([...terms].map((t) => t.trim().toLowerCase().replace(/ +/g, ' ')))]
    .filter((t) => t.length > 0)
    .sort((a, b) => b.length - a.length);
  const source =
    words.length === 0 ? '(?!)' : words.map((t) => t.replace(REGEXP_SPECIAL, '\\$&').replace(/ /g, ' +')).join('|');
  return { lower: new RegExp(source, 'g'), anyCase: new RegExp(source, 'gi'), longest: words[0]?.length ?? 0 };
}

/** Calls `visit(start, endInclusive)` for every whitelisted span in `text`, overlapping ones included. */
function forEachWhitelisted(whitelist: Whitelist, text: string, visit: (start: number, end: number) => void): void {
  const lower = text.toLowerCase();
  const [re, subject] = lower.length === text.length ? [whitelist.lower, lower] : [whitelist.anyCase, text];
  re.lastIndex = 0;
  for (let m = re.exec(subject); m !== null; m = re.exec(subject)) {
    visit(m.index, m.index + m[0].length - 1);
    // Whitelisted spans may overlap ("kung fu" inside "kung fu fighting"); look again one further on.
    re.lastIndex = m.index + 1;
  }
}

/**
 * True when text[start, end) is a number or lies inside a hexadecimal code, not a word. Leetspeak folds
 * digits into letters ("455" → "ass", "717" → "tit", "b00b" → "boob"), so without this a room number, a
 * time, a price, a commit hash ("a55f3e2") or a colour ("#a55") went to the review queue and its author
 * was told it may offend. Disguises that stand as words of their own ("a55", "5h1t", "@$$") are still read
 * as words, and so is a refused word inside a code.
 */
function isNumberOrCode(text: string, start: number, end: number, severity: Severity): boolean {
  let digits = 0;
  let plain = true;
  for (let i = start; i < end && plain; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if (!NUMBER_SEPARATORS.has(c)) plain = false;
  }
  if (plain) return digits > 0;
  // Never for a word refused outright: a code is no excuse for a slur spelt out inside it.
  if (severity === 'block') return false;
  // The whole run of letters and digits the match sits in.
  let from = start;
  while (from > 0 && isAlnum(text.charCodeAt(from - 1))) from--;
  let to = end;
  while (to < text.length && isAlnum(text.charCodeAt(to))) to++;
  let hexDigits = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!isHex(c)) return false;
    if (isDigit(c)) hexDigits++;
  }
  const length = to - from;
  const colour = text.charCodeAt(from - 1) === 35 /* # */ && [3, 4, 6, 8].includes(length);
  // A git short hash is 7 characters; shorter mixed runs ("a55", "b00b") read as words.
  return hexDigits > 0 && (colour || length >= 7);
}
/**
 * True when text[at] is the "@" of a mention ("@bo", at the start of a word, before a handle). Leetspeak
 * reads "@" as "a", so "thanks @bo" read as the slur "abo" and was refused, and "@nal" as "anal". The
 * handle itself is still read ("@fuck" is refused); a community's own words with an "@" ("@everyone")
 * and "@" disguises that are no mention ("@$$") still count.
 */
function isMentionSign(text: string, at: number): boolean {
  if (text.charCodeAt(at) !== 64 /* @ */) return false;
  if (at > 0 && isToken(codePointAt(text, at - 1))) return false;
  if (at + 1 >= text.length) return false;
  const next = codePointAt(text, at + 1);
  return isAlnum(next) || next === 95; /* _ */
}

const NUMBER_SEPARATORS = new Set([...' .,:-/'].map((c) => c.charCodeAt(0)));
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

function escapeForPattern(word: string): string {
  return word.replace(/[\\[\]?|]/g, '\\$&');
}

function tidyExcerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_MAX ? `${flat.slice(0, EXCERPT_MAX - 1)}…` : flat;
}

/**
 * Builds the profanity matcher: obscenity's English dataset and recommended transformers, the
 * community's own blocked and allowed words, and this project's false-positive fixes.
 *
 * Construction compiles every pattern into one alternation; a scan then folds the text once and
 * runs one regular expression over it, because running the dataset's ~120 patterns one by one (as
 * obscenity's RegExpMatcher does) costs several hundred microseconds per long message.
 */
export function createProfanityMatcher(options: ProfanityOptions = {}): ProfanityMatcher {
  const fold = sharedFolder();

  const allowed = new Set((options.allowedWords ?? []).map((w) => w.trim().toLowerCase()).filter((w) => w.length > 0));

  const dataset = new DataSet<{ originalWord: EnglishProfaneWord }>()
    .addAll(englishDataset)
    .removePhrasesIf((phrase) => phrase.metadata !== undefined && allowed.has(phrase.metadata.originalWord));
  const built = dataset.build();

  const terms: Term[] = [];
  for (const { id, pattern } of built.blacklistedTerms) {
    const word = dataset.getPayloadWithPhraseMetadata({ termId: id, startIndex: 0, endIndex: 0, matchLength: 0 })
      .phraseMetadata?.originalWord;
    if (word === undefined) continue;
    const source = compilePattern(pattern);
    const override = PATTERN_OVERRIDES.get(source);
    if (override === 'off') continue;
    terms.push({
      word,
      severity: override ?? DATASET_SEVERITY[word],
      community: false,
      sticky: new RegExp(source, 'ys'),
      firstChars: firstCharsOf(pattern),
      maxLength: maxLengthOf(pattern),
    });
  }

  for (const raw of options.extraBlockedWords ?? []) {
    const word = raw.trim();
    if (word.length === 0 || allowed.has(word.toLowerCase())) continue;
    // Fold the word the way text is folded, so "l33t" and "buttt" describe what a scan will see.
    const folded = fold(word).text;
    if (folded.length === 0) continue;
    // Community words match at the start of a word ("noob" catches "noobs", not "snoob"); a start
    // boundary only makes sense before a word character (not before "@everyone").
    const boundary = /^\w/.test(folded) ? '|' : '';
    const pattern = parseRawPattern(boundary + escapeForPattern(folded));
    terms.push({
      word,
      severity: 'block',
      community: true,
      sticky: new RegExp(compilePattern(pattern), 'ys'),
      firstChars: firstCharsOf(pattern),
      maxLength: maxLengthOf(pattern),
    });
  }

  // Block-level terms first: an alternation reports the first alternative that matches at a
  // position, so the worst word at any position is the one found.
  terms.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'block' ? -1 : 1));
  const everything = buildAlternation(terms);
  const blockOnly = buildAlternation(terms.filter((t) => t.severity === 'block'));
  const whitelistTerms = [...(built.whitelistedTerms ?? []), ...EXTRA_SAFE_TERMS, ...allowed];
  const whitelist = compileWhitelist(whitelistTerms);
  const windowReach = whitelist.longest + WINDOW_SLACK;

  /**
   * cover[i] is the furthest end (inclusive) of any whitelisted span starting at or before i, so a
   * match [s, e] is excused when cover[s] >= e: some whitelisted span holds all of it.
   */
  function whitelistCoverage(text: string): Int32Array {
    const cover = new Int32Array(text.length).fill(-1);
    forEachWhitelisted(whitelist, text, (start, end) => {
      if (end > cover[start]!) cover[start] = end;
    });
    for (let i = 1; i < cover.length; i++) if (cover[i - 1]! > cover[i]!) cover[i] = cover[i - 1]!;
    return cover;
  }

  /**
   * Whitelisted spans that could hold a match starting at `start`: any such span starts at most
   * `windowReach` before it and ends at most `windowReach` after it. Flat [start, end, ...] pairs.
   */
  function whitelistedAround(text: string, start: number): number[] {
    const from = Math.max(0, start - windowReach);
    const spans: number[] = [];
    forEachWhitelisted(whitelist, text.slice(from, Math.min(text.length, start + windowReach + 1)), (s, e) => {
      if (from + s <= start) spans.push(from + s, from + e);
    });
    return spans;
  }

  function scanOnce(text: string): ProfanityHit[] {
    const hits: ProfanityHit[] = [];
    if (text.length === 0) return hits;
    const folded: FoldedText = fold(text);
    const t = folded.text;
    let cover: Int32Array | undefined;
    let localChecks = 0;
    // Several questions are asked about the same start (the longest term, then each term), so keep
    // the last window's answer.
    let spansStart = -1;
    let spans: number[] = [];
    const excused = (start: number, end: number): boolean => {
      if (cover === undefined && (start === spansStart || localChecks < LOCAL_WHITELIST_CHECKS)) {
        if (start !== spansStart) {
          localChecks++;
          spansStart = start;
          spans = whitelistedAround(text, start);
        }
        for (let k = 0; k < spans.length; k += 2) if (spans[k]! <= start && spans[k + 1]! >= end) return true;
        return false;
      }
      cover ??= whitelistCoverage(text);
      return cover[start]! >= end;
    };

    // The source span of folded [at, at + length), end exclusive.
    const sourceEndOf = (at: number, length: number): number =>
      charEnd(text, folded.origin[Math.min(at + length, t.length) - 1]!);

    const record = (term: Term, at: number, length: number): boolean => {
      const start = folded.origin[at]!;
      const end = sourceEndOf(at, length);
      if (isNumberOrCode(text, start, end, term.severity) || excused(start, end - 1)) return false;
      if (!term.community && isMentionSign(text, start)) return false;
      hits.push({
        word: term.word,
        severity: term.severity,
        community: term.community,
        start,
        end,
        excerpt: tidyExcerpt(text.slice(start, end)),
      });
      return true;
    };

    let active = everything;
    active.re.lastIndex = 0;
    let candidates = 0;
    for (let m = active.re.exec(t); m !== null; m = active.re.exec(t)) {
      if (++candidates > MAX_CANDIDATES) break;
      const at = m.index;
      let next = at + 1;
      let found: Term | undefined;
      const bucket = active.byFirstChar.get(t.charCodeAt(at)) ?? active.anyStart;
      // If even the longest term that could start here lies inside a whitelisted span
      // ("assessment" around "ass"), every term here is excused: no need to work out which matched.
      if (!excused(folded.origin[at]!, sourceEndOf(at, bucket.maxLength) - 1)) {
        for (const term of bucket.terms) {
          term.sticky.lastIndex = at;
          if (!term.sticky.test(t)) continue;
          const length = term.sticky.lastIndex - at;
          if (record(term, at, length)) {
            found = term;
            next = at + length;
            break;
          }
        }
      }
      if (found?.severity === 'block') break;
      if (found && active !== blockOnly) {
        // A flag is already certain; from here on only a block-level word could change the verdict.
        active = blockOnly;
      }
      active.re.lastIndex = next;
    }
    return hits;
  }

  /**
   * "s h i t" and "f.u.c.k" dodge a letter-by-letter matcher. Join each run of single characters
   * into one word and scan the joined words, mapped back to where the member typed them.
   */
  function scanSpacedRuns(text: string): ProfanityHit[] {
    let joined = '';
    const origin: number[] = [];
    const n = text.length;
    let i = 0;
    // Whether the character before i is a token character; a run only starts after a non-token.
    let afterToken = false;
    while (i < n) {
      const cp = codePointAt(text, i);
      const width = cp > 0xffff ? 2 : 1;
      const token = isToken(cp);
      if (!token || afterToken) {
        afterToken = token;
        i += width;
        continue;
      }
      const tokens = [i];
      let end = i + width;
      for (;;) {
        let k = end;
        let separators = 0;
        while (k < n && separators <= MAX_SEPARATORS && SEPARATORS.has(text.charCodeAt(k))) {
          k++;
          separators++;
        }
        if (separators === 0 || separators > MAX_SEPARATORS || k >= n) break;
        const next = codePointAt(text, k);
        if (!isToken(next)) break;
        const after = k + (next > 0xffff ? 2 : 1);
        // A character glued to a longer word ("s h it") is not a single spaced character.
        if (after < n && isToken(codePointAt(text, after))) break;
        tokens.push(k);
        end = after;
      }
      i = end;
      afterToken = true;
      if (tokens.length < MIN_SPACED_TOKENS) continue;
      if (joined.length > 0) {
        joined += ' ';
        origin.push(origin[origin.length - 1]!);
      }
      for (const at of tokens) {
        const char = String.fromCodePoint(codePointAt(text, at));
        joined += char;
        for (let k = 0; k < char.length; k++) origin.push(at);
      }
    }
    if (joined.length === 0) return [];
    return scanOnce(joined).map((hit) => {
      const start = origin[hit.start]!;
      const end = charEnd(text, origin[hit.end - 1]!);
      return { ...hit, start, end, excerpt: tidyExcerpt(text.slice(start, end)) };
    });
  }

  return {
    scan(text: string): ProfanityHit[] {
      const hits = scanOnce(text);
      if (hits.some((h) => h.severity === 'block')) return hits;
      return [...hits, ...scanSpacedRuns(text)];
    },
  };
}
