// Fenced blocks run to the closing fence, or to the end while the member is still typing one.
const FENCED = /(```|~~~)[\s\S]*?(?:\1|$)/g;
const INLINE = /`[^`\n]+`/g;

const blank = (code: string): string => ' '.repeat(code.length);

/**
 * The message with its Markdown code (fenced blocks and `inline` spans) blanked out, same length so
 * positions still line up. Shouting, mention and flood checks read this instead of the raw body:
 * `MAX_RETRIES`, `@Component` and an ASCII table in a code block are how people share code, not spam.
 */
export function blankOutCode(body: string): string {
  if (!body.includes('`') && !body.includes('~~~')) return body;
  return body.replace(FENCED, blank).replace(INLINE, blank);
}
