/**
 * Highlights without HTML. `ts_headline` marks matches with StartSel/StopSel and joins fragments with
 * FragmentDelimiter; we use private-use characters for all three, so the headline is plain text that
 * a client renders as text (never as markup) and the markers cannot be forged: the body goes into
 * `ts_headline` with any such character turned into a space first (`HEADLINE_INPUT_SQL`).
 *
 * `ts_headline`'s default parser also treats `<b>` or `&amp;` in a message as markup and leaves it out
 * of the headline, which would eat the `<div>` of someone asking about HTML. So `<` and `&` travel as
 * two more private-use characters and are put back here.
 */
const START = '\uE000';
const STOP = '\uE001';
const DELIMITER = '\uE002';
const LT = '\uE003';
const AMP = '\uE004';

/** SQL that prepares a body (`column`) for `ts_headline` as described above. */
export function headlineInputSql(column: string): string {
  return `translate(${column}, E'<&\\uE000\\uE001\\uE002\\uE003\\uE004', E'\\uE003\\uE004     ')`;
}

/** `ts_headline` options: up to three fragments of 8–24 words around the matches. */
export const HEADLINE_OPTIONS = `StartSel=${START}, StopSel=${STOP}, FragmentDelimiter=${DELIMITER}, MaxFragments=3, MaxWords=24, MinWords=8, ShortWord=2`;

export interface HeadlineFragment {
  /** A piece of the message, as plain text. */
  text: string;
  /** Where the matched words are in `text`: [start, end) in UTF-16 code units (JavaScript string indices). */
  highlights: Array<{ start: number; end: number }>;
}

export function parseHeadline(raw: string): HeadlineFragment[] {
  const fragments: HeadlineFragment[] = [];
  for (const piece of raw.split(DELIMITER)) {
    let text = '';
    let openAt = -1;
    const highlights: HeadlineFragment['highlights'] = [];
    for (const ch of piece) {
      if (ch === START) openAt = text.length;
      else if (ch === STOP) {
        if (openAt >= 0 && text.length > openAt) highlights.push({ start: openAt, end: text.length });
        openAt = -1;
      } else text += ch === LT ? '<' : ch === AMP ? '&' : ch;
    }
    const lead = text.length - text.trimStart().length;
    const trimmed = text.trim();
    if (trimmed.length === 0) continue;
    fragments.push({
      text: trimmed,
      highlights: highlights
        .map((h) => ({ start: h.start - lead, end: Math.min(h.end - lead, trimmed.length) }))
        .filter((h) => h.start >= 0 && h.end > h.start),
    });
  }
  return fragments;
}
