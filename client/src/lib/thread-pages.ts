/** The pages of a room's thread list the member has loaded: the first (read again as threads change) and older ones. */
export interface ThreadPages<T extends { id: string }> {
  /** The first page as last read, or undefined before it loads (or when it cannot, offline). */
  first: { threads: readonly T[]; nextCursor: string | null; total?: number } | undefined;
  /** Threads of the older pages loaded with "Show older threads", in the order they came. */
  older: readonly T[];
  /** Where the next older page starts; undefined until one was loaded (then the first page's cursor counts). */
  olderCursor: string | null | undefined;
}

/**
 * Every listed thread once, the first page's copy winning (it is read again when threads change, so a thread
 * that moved up with new activity shows its fresh counts), then older pages in order.
 */
export function listedThreads<T extends { id: string }>(pages: ThreadPages<T>): T[] {
  const first = pages.first?.threads ?? [];
  const seen = new Set(first.map((t) => t.id));
  const out = [...first];
  for (const t of pages.older) {
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    out.push(t);
  }
  return out;
}

/** The cursor of the next page to load, or null when every thread is listed. */
export function nextThreadCursor(pages: ThreadPages<{ id: string }>): string | null {
  if (!pages.first) return null;
  return pages.olderCursor === undefined ? pages.first.nextCursor : pages.olderCursor;
}

/**
 * The count on the room header's Threads button: the threads shown when all are listed; otherwise the room's
 * total as the server counted it (never fewer than shown: a thread may have started since), or "50+" when the
 * total is unknown. Null when there is nothing to count.
 */
export function threadTotalLabel(shown: number, more: boolean, total: number | undefined): string | null {
  if (!more) return shown > 0 ? shown.toLocaleString() : null;
  if (total !== undefined) return Math.max(total, shown).toLocaleString();
  return `${shown.toLocaleString()}+`;
}
