import type { DmSummary } from '../../../shared/sync/inbox.ts';

/**
 * A conversation has something the member has not read: its newest message is past their read marker and
 * is not their own (writing in a conversation is reading it). Summaries from older servers carry no
 * newest message and never count as unread.
 */
export function isDmUnread(dm: DmSummary, me: string, readSeq: number): boolean {
  return dm.lastSeq !== undefined && dm.lastSeq > readSeq && dm.lastAuthorId !== me;
}

/** Most recent conversation first; a conversation with no message yet by when it appeared (its place). */
export function byRecentActivity(dms: readonly DmSummary[]): DmSummary[] {
  return dms
    .map((dm, index) => ({ dm, index }))
    .sort((a, b) => (b.dm.lastMessageAt ?? '').localeCompare(a.dm.lastMessageAt ?? '') || a.index - b.index)
    .map(({ dm }) => dm);
}
