import { describe, expect, it } from 'vitest';
import { LINK_IMAGE_ID, linkImageId, linkImageKey, linkImageType } from './link-image-id.ts';

const HASH = 'ab'.repeat(32);

describe("a link preview picture's id", () => {
  it('names the picture by hash and type, and gives the type back only from a well-formed id', () => {
    expect(linkImageId(HASH, 'image/jpeg')).toBe(`${HASH}.jpg`);
    expect(linkImageType(`${HASH}.jpg`)).toBe('image/jpeg');
    expect(linkImageType(`${HASH}.webp`)).toBe('image/webp');
    expect(linkImageKey(`${HASH}.png`)).toBe(`link-images/${HASH}.png`);
    // Not pictures: no id, so nothing is ever stored or served as one.
    expect(linkImageId(HASH, 'application/pdf')).toBeUndefined();
    expect(linkImageId(HASH, 'text/plain')).toBeUndefined();
    for (const bad of [`${HASH}.svg`, `${HASH}.html`, `../${HASH}.png`, `${HASH.toUpperCase()}.png`, 'x.png', ''])
      expect(LINK_IMAGE_ID.test(bad) || linkImageType(bad) !== undefined, bad).toBe(false);
  });
});
