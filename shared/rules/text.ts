import { LIMITS } from './limits.ts';

/**
 * Length in Unicode code points, the unit Postgres' `char_length` uses in our CHECK constraints. Counting UTF-16
 * units (`.length`) would refuse a 4,000-character message full of emoji that the database would accept, and the
 * client and server must agree on what "too long" means.
 */
export function charCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** True when `text` fits in `maxChars` code points. */
export function fitsChars(text: string, maxChars: number): boolean {
  return charCount(text) <= maxChars;
}

/** The same rule as the `users.handle` CHECK; case-insensitive uniqueness is the database's job. */
export function isValidHandle(handle: string): boolean {
  return LIMITS.handle.pattern.test(handle);
}

/**
 * A short quote of someone's words for a notification (push, email): line breaks and runs of spaces
 * folded into one space, cut at `maxChars` code points with an ellipsis — never inside an emoji.
 */
export function excerpt(text: string, maxChars: number): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : chars.join('');
}
