import type { EmojiEntry } from './emoji-search.ts';

export interface EmojiData {
  entries: readonly EmojiEntry[];
  byName: ReadonlyMap<string, EmojiEntry>;
  byEmoji: ReadonlyMap<string, EmojiEntry>;
}

let loading: Promise<EmojiData> | undefined;
let loaded: EmojiData | undefined;

/** The emoji list (~50 KB compressed), fetched once, the first time someone types `:` or opens the picker. */
export function loadEmoji(): Promise<EmojiData> {
  loading ??= import('gemoji').then(({ gemoji }) => {
    const byName = new Map<string, EmojiEntry>();
    const byEmoji = new Map<string, EmojiEntry>();
    for (const entry of gemoji) {
      for (const name of entry.names) if (!byName.has(name)) byName.set(name, entry);
      byEmoji.set(entry.emoji, entry);
      // Reactions are often sent without the variation selector (❤ for ❤️): both find the entry.
      byEmoji.set(entry.emoji.replace(/\ufe0f/g, ''), entry);
    }
    loaded = { entries: gemoji, byName, byEmoji };
    return loaded;
  });
  return loading;
}

/** The list if it has been loaded already (for names on screen that must not wait for it). */
export const emojiDataIfLoaded = (): EmojiData | undefined => loaded;
