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

/**
 * Where in the head segment a subscriber takes the next segment as well. Every subscriber of a room sees
 * the head move on at the same moment; if each subscribed to the new head only then, a busy room would
 * take a thousand subscriptions at once, and the messages sent meanwhile would wait behind them (the
 * fan-out benchmark's worst latencies were exactly those). Each client instead picks its own point in
 * the middle half of the head segment: the next segment is already held when the first message lands in
 * it, and a room's subscriptions to it are spread over the messages of half a segment.
 */
export function nextSegmentPoint(random: () => number = Math.random): number {
  return Math.floor(SEGMENT_SIZE / 4 + random() * (SEGMENT_SIZE / 2));
}

/** Whether a client that has seen seq `highestSeq` in head segment `head` should hold the next segment. */
export function wantsNextSegment(head: number, highestSeq: number, point: number): boolean {
  return highestSeq - head * SEGMENT_SIZE >= point;
}
