import { describe, expect, it } from 'vitest';
import { attachmentsHeight, shownSize } from './attachment-layout.ts';

describe('shownSize', () => {
  it('keeps an image its own size when it fits, and its proportions when it does not', () => {
    expect(shownSize({ width: 320, height: 200 })).toEqual({ width: 320, height: 200 });
    expect(shownSize({ width: 1920, height: 1080 })).toEqual({ width: 360, height: 203 });
    expect(shownSize({ width: 600, height: 2000 })).toEqual({ width: 78, height: 260 });
  });

  it('gives an image of unknown size the whole box', () => {
    expect(shownSize({})).toEqual({ width: 360, height: 260 });
  });
});

describe('attachmentsHeight', () => {
  it('adds what images and file cards take to a row', () => {
    expect(attachmentsHeight([])).toBe(0);
    expect(
      attachmentsHeight([
        { id: 'a', name: 'a.png', type: 'image/png', size: 1, width: 320, height: 200 },
        { id: 'b', name: 'b.log', type: 'text/plain', size: 1 },
      ]),
    ).toBe(8 + 208 + 52);
  });
});
