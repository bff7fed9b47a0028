import { describe, expect, it } from 'vitest';
import { parseHeadline } from './headline.ts';

const S = '\uE000';
const E = '\uE001';
const D = '\uE002';

describe('parseHeadline turns ts_headline output into plain text with match offsets', () => {
  it('gives each highlighted word its offsets in the fragment text', () => {
    const [fragment] = parseHeadline(`the quick ${S}fox${E} jumps over the ${S}foxes${E}`);
    expect(fragment!.text).toBe('the quick fox jumps over the foxes');
    expect(fragment!.highlights.map((h) => fragment!.text.slice(h.start, h.end))).toEqual(['fox', 'foxes']);
  });

  it('splits fragments, trims them and keeps offsets right after trimming', () => {
    const fragments = parseHeadline(`  a ${S}fox${E} here ${D}  and a ${S}dog${E} there  `);
    expect(fragments.map((f) => f.text)).toEqual(['a fox here', 'and a dog there']);
    expect(fragments.map((f) => f.text.slice(f.highlights[0]!.start, f.highlights[0]!.end))).toEqual(['fox', 'dog']);
  });

  it('puts back < and & that travelled as private-use characters, and never produces markup', () => {
    const [fragment] = parseHeadline(`use \uE003div> \uE004 ${S}flexbox${E}`);
    expect(fragment!.text).toBe('use <div> & flexbox');
    expect(fragment!.text.slice(fragment!.highlights[0]!.start, fragment!.highlights[0]!.end)).toBe('flexbox');
  });

  it('counts offsets in UTF-16 units, as JavaScript indexes strings', () => {
    const [fragment] = parseHeadline(`🎉🎉 ${S}party${E}`);
    expect(fragment!.text.slice(fragment!.highlights[0]!.start, fragment!.highlights[0]!.end)).toBe('party');
  });
});
