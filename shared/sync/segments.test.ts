import { describe, expect, it } from 'vitest';
import { nextSegmentPoint, segmentOf, SEGMENT_SIZE, wantsNextSegment } from './segments.ts';

describe('taking the next segment ahead of the boundary', () => {
  it('each client picks its point in the middle half of the head segment', () => {
    expect(nextSegmentPoint(() => 0)).toBe(SEGMENT_SIZE / 4);
    expect(nextSegmentPoint(() => 0.999999)).toBe((SEGMENT_SIZE * 3) / 4 - 1);
    const points = new Set(Array.from({ length: 2000 }, () => nextSegmentPoint()));
    // Spread out, so a room's subscribers do not all subscribe on the same message.
    expect(points.size).toBeGreaterThan(SEGMENT_SIZE / 4);
    for (const p of points) {
      expect(p).toBeGreaterThanOrEqual(SEGMENT_SIZE / 4);
      expect(p).toBeLessThan((SEGMENT_SIZE * 3) / 4);
    }
  });

  it('wants the next segment once the head holds as many messages as the point, never before', () => {
    const head = 3;
    const point = 100;
    const firstOfHead = head * SEGMENT_SIZE + 1;
    expect(segmentOf(firstOfHead)).toBe(head);
    expect(wantsNextSegment(head, firstOfHead + point - 2, point)).toBe(false);
    expect(wantsNextSegment(head, firstOfHead + point - 1, point)).toBe(true);
    // The newest message seen is still in the segment before (a head that just moved): not yet.
    expect(wantsNextSegment(head, firstOfHead - 1, point)).toBe(false);
    expect(wantsNextSegment(head, 0, point)).toBe(false);
  });
});
