import type { DmSummary } from '../../../shared/sync/inbox.ts';

/** What a conversation is called: its title, or the other members' names ("Just you" when alone in it). */
export function dmTitle(dm: DmSummary, me: string, nameOf: (id: string) => string): string {
  return (
    dm.title ??
    (dm.participantIds
      .filter((id) => id !== me)
      .map(nameOf)
      .join(', ') ||
      'Just you')
  );
}
