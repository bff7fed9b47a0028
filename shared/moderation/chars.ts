/**
 * Per-character facts, looked up by code point. Unicode property regexes are exact but cost a
 * regex step per character, and Layer 1 walks every character of every message several times, so
 * each character is classified once, on first sight, then read from a table.
 */
export const UPPER = 1;
export const LOWER = 2;
export const EMOJI = 4;
export const SPACE = 8;
/** A letter or digit in any script. */
export const ALNUM = 16;
const CLASSIFIED = 128;

const bmpClass = new Uint8Array(0x10000);
const astralClass = new Map<number, number>();
// A stream of distinct astral characters must not grow memory forever.
const ASTRAL_CACHE_MAX = 4096;

function classify(cp: number): number {
  const char = String.fromCodePoint(cp);
  return (
    CLASSIFIED |
    (/\p{Lu}/u.test(char) ? UPPER : 0) |
    (/\p{Ll}/u.test(char) ? LOWER : 0) |
    (/\p{Extended_Pictographic}/u.test(char) ? EMOJI : 0) |
    (/\s/u.test(char) ? SPACE : 0) |
    (/[\p{L}\p{N}]/u.test(char) ? ALNUM : 0)
  );
}

export function classOf(cp: number): number {
  if (cp < 0x10000) {
    let c = bmpClass[cp]!;
    if (c === 0) bmpClass[cp] = c = classify(cp);
    return c;
  }
  let c = astralClass.get(cp);
  if (c === undefined) {
    if (astralClass.size >= ASTRAL_CACHE_MAX) astralClass.clear();
    astralClass.set(cp, (c = classify(cp)));
  }
  return c;
}

/** The code point starting at `i`, joining a surrogate pair. */
export function codePointAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return ((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
  }
  return c;
}

/** The code point ending just before `i`, joining a surrogate pair. */
export function codePointBefore(text: string, i: number): number {
  const c = text.charCodeAt(i - 1);
  if (c >= 0xdc00 && c <= 0xdfff && i >= 2) {
    const high = text.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return ((high - 0xd800) << 10) + (c - 0xdc00) + 0x10000;
  }
  return c;
}

export const isAsciiSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

export function isSpace(cp: number): boolean {
  return cp < 128 ? isAsciiSpace(cp) : (classOf(cp) & SPACE) !== 0;
}

export function isAlnum(cp: number): boolean {
  if (cp < 128) return (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
  return (classOf(cp) & ALNUM) !== 0;
}
