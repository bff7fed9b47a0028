import { aloneSentence } from '../../../shared/rules/conversation.ts';
import type { DmSummary } from '../../../shared/sync/inbox.ts';

/**
 * What a conversation is called: its title, or the other members' names. A 1:1 conversation whose other
 * member is gone (their account was deleted) is theirs still: "Deleted user", not "Just you".
 */
export function dmTitle(dm: DmSummary, me: string, nameOf: (id: string) => string): string {
  const others = dm.participantIds.filter((id) => id !== me);
  return dm.title ?? (others.map(nameOf).join(', ') || (dm.isGroup ? 'Just you' : DELETED_USER));
}

const DELETED_USER = 'Deleted user';

/** Nobody else reads this conversation any more: what the composer says instead of taking words. */
export function aloneRefusal(dm: DmSummary, me: string): string | null {
  return dm.participantIds.some((id) => id !== me) ? null : aloneSentence(dm.isGroup);
}
