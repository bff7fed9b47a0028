import { describe, expect, it } from 'vitest';
import type { DmSummary } from '../../../shared/sync/inbox.ts';
import { byRecentActivity, isDmUnread } from './dm-unread.ts';

const dm = (channelId: string, extra: Partial<DmSummary> = {}): DmSummary => ({
  channelId,
  isGroup: false,
  title: null,
  participantIds: ['me', 'ann'],
  ...extra,
});

describe('direct messages on the list', () => {
  it('is unread when its newest message is past the marker and someone else wrote it', () => {
    expect(isDmUnread(dm('a', { lastSeq: 3, lastAuthorId: 'ann' }), 'me', 2)).toBe(true);
    expect(isDmUnread(dm('a', { lastSeq: 3, lastAuthorId: 'ann' }), 'me', 3)).toBe(false);
    // My own last message: I have seen the conversation.
    expect(isDmUnread(dm('a', { lastSeq: 3, lastAuthorId: 'me' }), 'me', 0)).toBe(false);
    // A deleted author still counts as someone else.
    expect(isDmUnread(dm('a', { lastSeq: 1, lastAuthorId: null }), 'me', 0)).toBe(true);
    // No message yet, or a summary from an older server: nothing to read.
    expect(isDmUnread(dm('a', { lastSeq: 0, lastAuthorId: null }), 'me', 0)).toBe(false);
    expect(isDmUnread(dm('a'), 'me', 0)).toBe(false);
  });

  it('lists the most recent conversation first and keeps new empty ones in their place after them', () => {
    const list = [
      dm('old', { lastMessageAt: '2026-11-20T10:00:00.000Z' }),
      dm('empty1'),
      dm('new', { lastMessageAt: '2026-11-26T10:00:00.000Z' }),
      dm('empty2'),
    ];
    expect(byRecentActivity(list).map((d) => d.channelId)).toEqual(['new', 'old', 'empty1', 'empty2']);
  });
});
