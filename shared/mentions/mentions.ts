/**
 * `@handle` mentions as the composer and the message log see them. The server decides who is mentioned
 * (`resolveMentions` in sync-server/intents/message-writes.ts: the same pattern as `MENTION_PATTERN`
 * here, handles of members who can read the channel, blocked pairs left out) and stores their ids on
 * the message; these pure functions find what the member is typing and where a body names a handle.
 */

/** An `@` that starts a mention: at the start, or after a character that is neither a word character nor `@`. */
export const MENTION_PATTERN = /(^|[^\w@])@([A-Za-z0-9_][A-Za-z0-9_.-]{1,31})/g;

const HANDLE_CHAR = /[A-Za-z0-9_.-]/;
const HANDLE_START = /[A-Za-z0-9_]/;
const WORD_OR_AT = /[\w@]/;
const HANDLE_MAX_CHARS = 32;
const TRAILING_PUNCTUATION = /[.-]+$/;

/** The `@query` the caret is in: `start` is the `@`, `end` the end of the handle-like word around the caret. */
export interface MentionQuery {
  start: number;
  end: number;
  /** What was typed between the `@` and the caret (at least one character). */
  query: string;
}

/**
 * The mention being typed at `caret`, or null: an `@` the server would read as a mention, followed by at
 * least one handle character, with the caret inside or at the end of that word. E-mail addresses
 * (`ada@example.com`) and a bare `@` are not.
 */
export function mentionQueryAt(text: string, caret: number): MentionQuery | null {
  if (caret < 0 || caret > text.length) return null;
  let from = caret;
  while (from > 0 && HANDLE_CHAR.test(text[from - 1]!)) from--;
  const at = from - 1;
  if (at < 0 || text[at] !== '@') return null;
  if (at > 0 && WORD_OR_AT.test(text[at - 1]!)) return null;
  const query = text.slice(from, caret);
  if (query.length === 0 || query.length > HANDLE_MAX_CHARS || !HANDLE_START.test(query[0]!)) return null;
  let end = caret;
  while (end < text.length && HANDLE_CHAR.test(text[end]!)) end++;
  return { start: at, end, query };
}

/**
 * Replaces the `@query` with `@handle ` and answers the new text and where the caret goes (after the
 * space). A space already following the word is reused rather than doubled.
 */
export function insertMention(text: string, at: MentionQuery, handle: string): { text: string; caret: number } {
  const before = text.slice(0, at.start);
  const after = text.slice(at.end);
  const mention = `@${handle}`;
  if (/^\s/.test(after)) return { text: before + mention + after, caret: before.length + mention.length + 1 };
  return { text: `${before}${mention} ${after}`, caret: before.length + mention.length + 1 };
}

export type MentionPart = { kind: 'text'; text: string } | { kind: 'mention'; text: string; handle: string };

/**
 * Splits text into plain parts and the `@handle`s that `isMentioned` accepts (it is given the handle in
 * lower case). A handle followed by sentence punctuation (`@grace.`) is tried whole first, then without
 * its trailing dots and dashes; anything not accepted stays text, exactly as written.
 */
export function splitMentions(text: string, isMentioned: (handle: string) => boolean): MentionPart[] {
  const parts: MentionPart[] = [];
  let last = 0;
  const push = (part: MentionPart) => {
    const previous = parts.at(-1);
    if (part.kind === 'text' && previous?.kind === 'text') previous.text += part.text;
    else parts.push(part);
  };
  if (!text.includes('@')) return text === '' ? [] : [{ kind: 'text', text }];
  for (const match of text.matchAll(MENTION_PATTERN)) {
    const written = match[2]!;
    const start = match.index + match[1]!.length;
    let handle = written;
    if (!isMentioned(handle.toLowerCase())) {
      handle = written.replace(TRAILING_PUNCTUATION, '');
      if (handle.length < 2 || handle === written || !isMentioned(handle.toLowerCase())) continue;
    }
    if (start > last) push({ kind: 'text', text: text.slice(last, start) });
    push({ kind: 'mention', text: `@${handle}`, handle: handle.toLowerCase() });
    last = start + 1 + handle.length;
  }
  if (last < text.length) push({ kind: 'text', text: text.slice(last) });
  return parts;
}

/** What the suggestion list needs of a member. */
export interface MentionCandidate {
  id: string;
  handle: string;
  name: string;
}

/**
 * Suggestions for `query`: members whose handle, or a word of whose name, starts with it (case-insensitive),
 * taken group by group (e.g. members here now, then the room's members, then everyone else this device
 * knows), each member once, without `excluded` ones (the member themself, members they block) and
 * members without a handle. Within a group, handle matches come before name matches, then by handle.
 */
export function rankMentionCandidates(
  query: string,
  groups: ReadonlyArray<readonly MentionCandidate[]>,
  excluded: (id: string) => boolean,
  limit = 8,
): MentionCandidate[] {
  const q = query.toLowerCase();
  const seen = new Set<string>();
  const out: MentionCandidate[] = [];
  for (const group of groups) {
    const matches: Array<{ member: MentionCandidate; byHandle: boolean }> = [];
    for (const member of group) {
      if (!member.handle || seen.has(member.id) || excluded(member.id)) continue;
      const byHandle = member.handle.toLowerCase().startsWith(q);
      const byName =
        !byHandle &&
        member.name
          .toLowerCase()
          .split(/\s+/)
          .some((word) => word.startsWith(q));
      if (!byHandle && !byName) continue;
      seen.add(member.id);
      matches.push({ member, byHandle });
    }
    matches.sort(
      (a, b) => Number(b.byHandle) - Number(a.byHandle) || a.member.handle.localeCompare(b.member.handle, 'en'),
    );
    for (const { member } of matches) {
      if (out.length >= limit) return out;
      out.push(member);
    }
  }
  return out;
}
