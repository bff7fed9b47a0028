import { describe, it, expect } from 'vitest';
import { englishRecommendedBlacklistMatcherTransformers } from 'obscenity';
import { createFolder } from './fold.ts';
import { BLACKLIST_FOLD } from './profanity.ts';

/** What obscenity's RegExpMatcher does with its transformers: each code point through the chain, in order. */
function obscenityFold(input: string): string {
  const chain = englishRecommendedBlacklistMatcherTransformers.map((t) => {
    if ('transform' in t) return t.transform;
    const instance = t.factory();
    return (c: number) => instance.transform(c);
  });
  let out = '';
  for (const char of input) {
    let v: number | undefined = char.codePointAt(0)!;
    for (const transform of chain) {
      if (v === undefined) break;
      v = transform(v);
    }
    if (v !== undefined) out += String.fromCodePoint(v);
  }
  return out;
}

const fold = createFolder(BLACKLIST_FOLD);

describe('folding text the way obscenity reads it', () => {
  it.each([
    'plain lower case text',
    'SHOUTING AND Mixed Case',
    'sh1t $h!t a$$ b1tch 5h17 f4gg07',
    'fuuuuuuck shiiiiit asssss niggggga boooooonga',
    'ʃ𝐟ʃὗƈｋ ỹоứ 𝔟ⁱẗ𝙘ɦ',
    'ＦＵＣＫ 𝐟𝐮𝐜𝐤 fúck shït Ⓕⓤⓒⓚ',
    'emoji 😂😂😂 and 👍🏽 skin tones and 👨‍👩‍👧 families',
    'café naïve Straße Ελληνικά русский 漢字 عربى',
    'zero\u200bwidth and\ttabs\nand newlines',
    "const assert = require('assert'); kill -9 1234",
    '',
  ])('matches obscenity for %j', (input) => {
    expect(fold(input).text).toBe(obscenityFold(input));
  });

  it('maps every folded character back to the character the member typed', () => {
    const input = 'x 𝐟uuuck y';
    const { text, origin } = fold(input);
    const f = text.indexOf('f');
    expect(origin[f]).toBe(input.indexOf('𝐟'));
    expect(input.slice(origin[f]!, origin[text.indexOf('k')]! + 1)).toBe('𝐟uuuck');
  });
});
