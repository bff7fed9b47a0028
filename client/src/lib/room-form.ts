import { LIMITS } from '../../../shared/rules/limits.ts';
import { charCount } from '../../../shared/rules/text.ts';
import type { RoomContextType } from '../api/types.ts';

/** The kinds of Lounge room an admin chooses from, each with what it means for members in one line. */
export const ROOM_TYPE_CHOICES: ReadonlyArray<{ type: RoomContextType; label: string; explanation: string }> = [
  { type: 'text', label: 'Topic room', explanation: 'Members chat freely and start threads when they like.' },
  {
    type: 'announcement',
    label: 'Announcements',
    explanation: 'Only moderators and admins post; members read and react.',
  },
  {
    type: 'help',
    label: 'Help room',
    explanation: 'Each new question becomes its own thread, so answers stay together and can be marked resolved.',
  },
  { type: 'showcase', label: 'Showcase', explanation: 'Members share their work; others react and reply in threads.' },
];

/**
 * A room's address from its name, as the admin types it: "AI Art & Design" → "ai-art-design". Letters with
 * accents lose them; what is left outside a–z and 0–9 becomes one dash. May be empty (a name in another
 * script): the admin then writes the address.
 */
export function slugFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, LIMITS.roomSlug.maxChars)
    .replace(/-+$/, '');
}

export interface RoomWords {
  name: string;
  emoji: string;
  description: string;
  /** Only when creating: an existing room keeps its address. */
  slug?: string;
}

/**
 * What the server would refuse in a room's words, as a sentence (null when it would take them): the same
 * shared limits, counted in code points as the database counts them. Leading and trailing spaces do not count.
 */
export function roomWordsProblem(words: RoomWords): string | null {
  const name = words.name.trim();
  if (name === '') return 'A room needs a name.';
  if (charCount(name) > LIMITS.text.roomNameMaxChars) {
    return `A room name can be at most ${LIMITS.text.roomNameMaxChars} characters.`;
  }
  if (charCount(words.emoji.trim()) > LIMITS.text.roomEmojiMaxChars) {
    return `The emoji can be at most ${LIMITS.text.roomEmojiMaxChars} characters.`;
  }
  if (charCount(words.description.trim()) > LIMITS.text.roomDescriptionMaxChars) {
    return `A description can be at most ${LIMITS.text.roomDescriptionMaxChars.toLocaleString('en')} characters.`;
  }
  if ([name, words.emoji, words.description].some((v) => v.includes('\u0000'))) {
    return 'The words must not contain NUL characters (U+0000).';
  }
  if (words.slug !== undefined && !LIMITS.roomSlug.pattern.test(words.slug)) {
    const rule = LIMITS.roomSlug.rule;
    return `For the address, ${rule}.`;
  }
  return null;
}
