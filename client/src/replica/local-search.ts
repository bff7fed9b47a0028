import { readMessages, type MessageView } from '../../../shared/sync/channel-doc.ts';
import type { SearchHit } from '../api/community.ts';
import type { Replica } from './replica.ts';

/**
 * Offline search over what this device already holds: the segment docs in IndexedDB (the last few hundred
 * messages of each channel the member opened). A plain in-memory scan, fine at this size; the PGlite
 * replica with full-text search is the designed successor (not built yet).
 */
export async function searchLocal(replica: Replica, query: string, limit = 30): Promise<SearchHit[]> {
  const words = terms(query);
  if (words.length === 0) return [];
  const names = replica.store.storedNames().filter((name) => /^ch\.[0-9a-f-]{36}\.seg\.\d+$/.test(name));
  const hits: Array<{ message: MessageView; hit: SearchHit }> = [];
  for (const name of names) {
    const opened = replica.store.open(name);
    try {
      await opened.loaded;
      for (const message of readMessages(opened.doc)) {
        if (message.deleted || message.hidden || replica.blocks(message.authorId)) continue;
        const fragment = match(message.body, words);
        if (!fragment) continue;
        hits.push({
          message,
          hit: {
            messageId: message.id,
            channelId: message.channelId,
            channelKind: 'room',
            roomId: null,
            threadId: null,
            seq: message.seq,
            authorId: message.authorId,
            createdAt: message.createdAt,
            rank: 0,
            fragments: [fragment],
          },
        });
      }
    } finally {
      replica.store.release(name);
    }
  }
  return hits
    .sort((a, b) => b.message.createdAt.localeCompare(a.message.createdAt))
    .slice(0, limit)
    .map((h) => h.hit);
}

/** Words to find: quoted phrases stay whole; `-word` and `or` (server syntax) are ignored here. */
function terms(query: string): string[] {
  const out: string[] = [];
  for (const m of query.toLowerCase().matchAll(/"([^"]+)"|(\S+)/g)) {
    const term = (m[1] ?? m[2] ?? '').trim();
    if (term === '' || term === 'or' || term.startsWith('-')) continue;
    out.push(term);
  }
  return out;
}

/** Every term must occur (as a word prefix); the fragment is the body (trimmed around the first match). */
function match(body: string, words: string[]): SearchHit['fragments'][number] | null {
  const lower = body.toLowerCase();
  const spans: Array<{ start: number; end: number }> = [];
  for (const word of words) {
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`(^|[^\\p{L}\\p{N}])(${escaped})`, 'gu');
    let found = false;
    for (const m of lower.matchAll(re)) {
      const start = (m.index ?? 0) + (m[1]?.length ?? 0);
      spans.push({ start, end: start + word.length });
      found = true;
    }
    if (!found) return null;
  }
  spans.sort((a, b) => a.start - b.start);
  const first = spans[0]!.start;
  const from = Math.max(0, first - 60);
  const to = Math.min(body.length, first + 180);
  const prefix = from > 0 ? '…' : '';
  const text = `${prefix}${body.slice(from, to)}${to < body.length ? '…' : ''}`;
  const highlights = spans
    .filter((s) => s.start >= from && s.end <= to)
    .map((s) => ({ start: s.start - from + prefix.length, end: s.end - from + prefix.length }));
  return { text, highlights };
}
