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

/**
 * SQL that prepares a body (`column`) for `ts_headline` as described above, without its Markdown marks: a
 * hit shows the words a member reads, not `**`, backticks, fence lines, `#`, `>` or list markers; a link
 * keeps its label and its address. The words stay the same, so the matches do too. The same SQL runs in
 * PostgreSQL and in the device's PGlite.
 */
export function headlineInputSql(column: string): string {
  let sql = column;
  for (const [pattern, replacement, flags] of MARKDOWN_MARKS)
    sql = `regexp_replace(${sql}, '${pattern}', '${replacement}', '${flags}')`;
  return `translate(${sql}, E'<&\\uE000\\uE001\\uE002\\uE003\\uE004', E'\\uE003\\uE004     ')`;
}

// [pattern, replacement, flags] for regexp_replace (PostgreSQL's regular expressions; `n`: ^ and $ at
// every line). In order: fence lines, links, heading and quote marks, list markers and task boxes, then
// bold, strike-through and code marks. `_` and single `*` stay: they are often not marks (`__init__`,
// 2 * 3).
const MARKDOWN_MARKS: ReadonlyArray<readonly [string, string, string]> = [
  ['^[ \t]*(```|~~~)[^\n]*$', '', 'gn'],
  ['\\[([^]]*)\\]\\((https?://[^)[:space:]]*)\\)', '\\1 \\2', 'g'],
  ['^[ \t]*(#{1,6}[ \t]+|>[ \t]?)+', '', 'gn'],
  ['^[ \t]*([-*+]|[0-9]+[.)])[ \t]+(\\[[ xX]\\][ \t]+)?', '', 'gn'],
  ['\\*\\*|~~|`+', '', 'g'],
];

/** Messages up to this long are shown whole in a hit: fragments drop the words and marks around them. */
const WHOLE_UP_TO_CHARS = 280;

/**
 * The headline of a hit, as SQL: a chat message of a few lines whole (every word and mark, the matches
 * highlighted), a long one as fragments around the matches. `options` is the SQL of HEADLINE_OPTIONS
 * (a parameter); later options override earlier ones.
 */
export function headlineSql(column: string, query: string, options: string): string {
  const input = headlineInputSql(column);
  return `CASE WHEN char_length(${column}) <= ${WHOLE_UP_TO_CHARS}
               THEN ts_headline('english', ${input}, ${query}, ${options}::text || ', HighlightAll=true, MaxFragments=0')
               ELSE ts_headline('english', ${input}, ${query}, ${options}) END`;
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
