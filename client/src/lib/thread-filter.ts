/** The fields of a listed thread that the thread list's filters read. */
export interface FilterableThread {
  title: string;
  locked: boolean;
  resolved: boolean;
  archived: boolean;
  creatorId: string | null;
  parentMessageId: string | null;
  messageCount: number | null;
}

export const THREAD_FILTERS = [
  { id: 'all', label: 'All' },
  // Still taking answers: what a helper looks for.
  { id: 'open', label: 'Open' },
  { id: 'unanswered', label: 'No replies' },
  { id: 'resolved', label: 'Resolved' },
  { id: 'mine', label: 'Started by me' },
] as const;

export type ThreadFilter = (typeof THREAD_FILTERS)[number]['id'];

/**
 * Whether nobody has answered yet. A thread that hangs off a message counts replies only; one started on its
 * own counts its first message too. An unknown count (the list not read yet) is not "no replies".
 */
function unanswered(thread: FilterableThread): boolean {
  if (thread.messageCount === null) return false;
  return thread.messageCount <= (thread.parentMessageId === null ? 1 : 0);
}

export function matchesThreadFilter(thread: FilterableThread, filter: ThreadFilter, me: string): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'open':
      return !thread.resolved && !thread.archived && !thread.locked;
    case 'unanswered':
      return !thread.resolved && !thread.archived && unanswered(thread);
    case 'resolved':
      return thread.resolved;
    case 'mine':
      return thread.creatorId === me;
  }
}

/** Lower case without accents, so "cafe" finds "Café" and "ERROR" finds "error". */
function folded(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}

/** A title filter: every word typed appears in the title, in any order. */
export function titleMatcher(query: string): (title: string) => boolean {
  const words = folded(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return () => true;
  return (title) => {
    const t = folded(title);
    return words.every((w) => t.includes(w));
  };
}

/** How many threads each filter keeps (the words typed applied first), for the filter buttons. */
export function threadFilterCounts<T extends FilterableThread>(
  threads: readonly T[],
  me: string,
): Record<ThreadFilter, number> {
  const counts = Object.fromEntries(THREAD_FILTERS.map((f) => [f.id, 0])) as Record<ThreadFilter, number>;
  for (const thread of threads) {
    for (const { id } of THREAD_FILTERS) if (matchesThreadFilter(thread, id, me)) counts[id]++;
  }
  return counts;
}
