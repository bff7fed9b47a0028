import { LIMITS } from '../rules/limits.ts';

/**
 * A channel's log is split into segments of SEGMENT_SIZE messages by seq, so a live doc stays small
 * (tens of KB) whatever the channel's history; older segments are loaded only when someone scrolls there.
 */
export const SEGMENT_SIZE = LIMITS.sync.segmentMessages;

export function segmentOf(seq: number): number {
  return Math.floor((seq - 1) / SEGMENT_SIZE);
}

export function segmentRange(segment: number): { firstSeq: number; lastSeq: number } {
  return { firstSeq: segment * SEGMENT_SIZE + 1, lastSeq: (segment + 1) * SEGMENT_SIZE };
}
