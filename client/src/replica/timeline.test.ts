import { describe, expect, it } from 'vitest';
import { messageFromDoc, type MessageView } from '../../../shared/sync/channel-doc.ts';
import { buildTimeline, type TimelineItem } from './timeline.ts';

const ME = 'me';
const CHANNEL = 'room';
const start = Date.parse('2026-11-27T09:00:00Z');

// A minute apart: one day, groupable. The stored form's defaults fill in the rest of the view.
const message = (seq: number, authorId: string): MessageView =>
  messageFromDoc(`m${seq}`, { seq, authorId, body: `message ${seq}`, createdAt: start + seq * 60_000 }, CHANNEL);

const timeline = (messages: MessageView[], unreadAfter?: number) =>
  buildTimeline({
    me: ME,
    channelId: CHANNEL,
    messages,
    outbox: [],
    accepted: [],
    failed: [],
    now: new Date(start + 86_400_000 / 2),
    ...(unreadAfter === undefined ? {} : { unreadAfter }),
  }).items;

/** The rows as short labels: "m3", "m3 (grouped)", "new", "day". */
const shape = (items: TimelineItem[]) =>
  items.map((item) =>
    item.kind === 'message'
      ? `${item.key}${item.grouped ? ' (grouped)' : ''}`
      : item.kind === 'unread'
        ? 'new'
        : item.kind,
  );

describe('the "New" line where unread messages begin', () => {
  it('goes above the first message of someone else after the read position, which shows its author again', () => {
    const messages = [message(1, 'ada'), message(2, 'ada'), message(3, 'ada'), message(4, 'ada')];
    expect(shape(timeline(messages, 2))).toEqual(['day', 'm1', 'm2 (grouped)', 'new', 'm3', 'm4 (grouped)']);
  });

  it("passes over the member's own messages after the read position", () => {
    const messages = [message(1, 'ada'), message(2, ME), message(3, ME), message(4, 'ada')];
    expect(shape(timeline(messages, 1))).toEqual(['day', 'm1', 'm2', 'm3 (grouped)', 'new', 'm4']);
  });

  it('is not drawn when everything is read, when only the member wrote since, or in a conversation never read', () => {
    const messages = [message(1, 'ada'), message(2, 'ada'), message(3, ME)];
    expect(shape(timeline(messages, 3))).not.toContain('new');
    expect(shape(timeline(messages, 2))).not.toContain('new');
    // Never opened: the whole history would be "new"; the log opens at the bottom instead.
    expect(shape(timeline(messages, 0))).not.toContain('new');
    expect(shape(timeline(messages))).not.toContain('new');
  });

  it('is drawn once, above the oldest unread message loaded', () => {
    const messages = [message(5, 'ada'), message(6, 'bo'), message(7, 'ada')];
    expect(shape(timeline(messages, 2)).filter((s) => s === 'new')).toHaveLength(1);
    expect(shape(timeline(messages, 2))[1]).toBe('new');
  });
});

describe('sends a limit holds back', () => {
  const send = (n: number) => ({
    id: `i${n}`,
    intent: {
      kind: 'send' as const,
      channelId: CHANNEL,
      body: `queued ${n}`,
      replyToId: null,
      n,
      createdAt: start + n,
    },
  });
  const held = { reason: 'Slow mode is on in this room.', retryAt: start + 30_000 };

  it('the ones behind a held send wait with it, under one line, though no verdict says so yet', () => {
    const items = buildTimeline({
      me: ME,
      channelId: CHANNEL,
      messages: [message(1, 'ada')],
      outbox: [send(1), send(2), send(3), send(4)],
      waiting: new Map([['i2', held]]),
      accepted: [],
      failed: [],
      now: new Date(start + 60_000),
    }).items.filter((item) => item.kind === 'pending');
    expect(items.map((item) => (item.kind === 'pending' ? [item.intentId, item.waiting?.reason ?? null] : []))).toEqual(
      [
        ['i1', null],
        ['i2', held.reason],
        ['i3', held.reason],
        ['i4', held.reason],
      ],
    );
    // "Sending…" under the first; the held run's line under its last, counting three.
    expect(items.map((item) => item.kind === 'pending' && item.lastOfRun)).toEqual([true, false, false, true]);
    expect(items[3]?.kind === 'pending' && items[3].runLength).toBe(3);
  });
});
