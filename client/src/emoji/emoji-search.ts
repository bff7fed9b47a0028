/**
 * Emoji by name, as members of Slack, Discord and GitHub type them: `:tada:` is 🎉, `:+1:` is 👍. The
 * names, keywords and categories are GitHub's gemoji set (the same shortcodes those apps take); the list
 * is loaded on first use (emoji-data.ts), so the app's first paint does not carry it.
 */

export interface EmojiEntry {
  emoji: string;
  /** Shortcodes without colons, the usual one first (`['+1', 'thumbsup']`). */
  names: readonly string[];
  /** Keywords (`['party']` for 🎉). */
  tags: readonly string[];
  description: string;
  category: string;
}

/** The `:query` being typed: `start` is the colon, `end` the end of the name-like word around the caret. */
export interface EmojiQuery {
  start: number;
  end: number;
  query: string;
}

const NAME_CHAR = /[a-z0-9_+-]/i;
/** Before the colon: the start, a space or an opening bracket/quote — not a word (`10:30`, `http://`). */
const OPENER = /[\s([{"'“‘]/;
/** Two characters before suggesting, as Slack and Discord do: `:)` and `:D` stay smileys as typed. */
const MIN_QUERY = 2;
const MAX_QUERY = 32;

export function emojiQueryAt(text: string, caret: number): EmojiQuery | null {
  if (caret < 0 || caret > text.length) return null;
  let from = caret;
  while (from > 0 && NAME_CHAR.test(text[from - 1]!)) from--;
  const colon = from - 1;
  if (colon < 0 || text[colon] !== ':') return null;
  if (colon > 0 && !OPENER.test(text[colon - 1]!)) return null;
  const query = text.slice(from, caret);
  if (query.length < MIN_QUERY || query.length > MAX_QUERY) return null;
  let end = caret;
  while (end < text.length && NAME_CHAR.test(text[end]!)) end++;
  // A closing colon right after the name belongs to it.
  if (text[end] === ':') end++;
  return { start: colon, end, query: query.toLowerCase() };
}

/** Replaces the `:query` with the emoji and a space (a space already following is reused). */
export function insertEmoji(text: string, at: EmojiQuery, emoji: string): { text: string; caret: number } {
  const before = text.slice(0, at.start);
  const after = text.slice(at.end);
  if (/^\s/.test(after)) return { text: before + emoji + after, caret: before.length + emoji.length + 1 };
  return { text: `${before}${emoji} ${after}`, caret: before.length + emoji.length + 1 };
}

/**
 * A complete `:name:` just typed before the caret, when `name` is a known shortcode: it becomes the
 * emoji at once (Discord's behaviour), so what the member sees is what everyone gets.
 */
export function completedShortcode(
  text: string,
  caret: number,
  byName: ReadonlyMap<string, EmojiEntry>,
): { text: string; caret: number } | null {
  if (text[caret - 1] !== ':') return null;
  const at = emojiQueryAt(text, caret - 1);
  if (!at || at.end !== caret) return null;
  const entry = byName.get(at.query);
  if (!entry) return null;
  const before = text.slice(0, at.start);
  return { text: before + entry.emoji + text.slice(caret), caret: before.length + entry.emoji.length };
}

/**
 * The emoji a query names, best first: a shortcode equal to it, then shortcodes starting with it, then
 * shortcodes with a part starting with it (`:eyes` finds `:heart_eyes:`), then
 * keywords, then words of the description. Ties keep the list's order (Unicode's: faces before flags).
 */
export function searchEmoji(entries: readonly EmojiEntry[], query: string, limit: number): EmojiEntry[] {
  const q = query.trim().toLowerCase().replace(/^:|:$/g, '');
  if (q === '') return entries.slice(0, limit);
  const ranked: Array<{ entry: EmojiEntry; rank: number; order: number }> = [];
  entries.forEach((entry, order) => {
    const rank = rankOf(entry, q);
    if (rank < NO_MATCH) ranked.push({ entry, rank, order });
  });
  ranked.sort((a, b) => a.rank - b.rank || a.order - b.order);
  return ranked.slice(0, limit).map((r) => r.entry);
}

const NO_MATCH = 9;

function rankOf(entry: EmojiEntry, q: string): number {
  let best = NO_MATCH;
  for (const name of entry.names) {
    if (name === q) return 0;
    if (name.startsWith(q)) best = Math.min(best, 1);
    else if (name.split(/[_-]/).some((part) => part.startsWith(q))) best = Math.min(best, 2);
  }
  if (best < NO_MATCH) return best;
  if (entry.tags.some((tag) => tag === q)) return 3;
  if (entry.tags.some((tag) => tag.startsWith(q))) return 4;
  if (entry.description.split(/\s+/).some((word) => word.startsWith(q))) return 5;
  return NO_MATCH;
}
