import { createMemo, For, useContext, type JSX } from 'solid-js';
import { splitMentions } from '../../../../shared/mentions/mentions.ts';
import type { MemberInfo } from '../../replica/members.ts';
import { ReplicaContext } from '../../replica/context.ts';

export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"*_~]+$/;

/** Only http(s) links become anchors; anything else (javascript:, data:, …) stays text. */
function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Drops punctuation that ends the sentence rather than the link, and a closing ")" with no "(". */
function trimLink(raw: string): string {
  let link = raw.replace(TRAILING, '');
  while (link.endsWith(')') && (link.match(/\(/g)?.length ?? 0) < (link.match(/\)/g)?.length ?? 0)) {
    link = link.slice(0, -1).replace(TRAILING, '');
  }
  return link;
}

/** Splits a message body into text and link parts. Nothing here is ever parsed as HTML. */
export function splitLinks(body: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of body.matchAll(URL_PATTERN)) {
    const start = match.index;
    const link = trimLink(match[0]);
    const href = safeHref(link);
    if (!href || link.length === 0) continue;
    if (start > last) parts.push({ kind: 'text', text: body.slice(last, start) });
    parts.push({ kind: 'link', text: link, href });
    last = start + link.length;
  }
  if (last < body.length) parts.push({ kind: 'text', text: body.slice(last) });
  return parts;
}

/**
 * A message body as text nodes (Solid escapes them; no innerHTML anywhere), with http(s) links as
 * anchors that open in a new tab without giving the page a handle on ours, and the `@handle`s the server
 * resolved (`mentions`: member ids) as mention chips. Handles come from the member cache (looked up by
 * id when not known yet); an `@word` that names nobody the server mentioned stays plain text.
 */
export function MessageText(props: { body: string; mentions?: readonly string[] }): JSX.Element {
  const replica = useContext(ReplicaContext);
  /** Lower-cased handle -> the mentioned member. */
  const mentioned = createMemo(() => {
    const byHandle = new Map<string, MemberInfo>();
    if (!replica) return byHandle;
    for (const id of props.mentions ?? []) {
      const known = replica.members.get(id);
      if (known?.handle) byHandle.set(known.handle.toLowerCase(), known);
      // Not known yet: ask the server for the name; the chip appears when it answers.
      else replica.members.nameOf(id);
    }
    return byHandle;
  });
  const textParts = (text: string) => {
    const members = mentioned();
    return members.size === 0 ? [{ kind: 'text' as const, text }] : splitMentions(text, (h) => members.has(h));
  };
  return (
    <For each={splitLinks(props.body)}>
      {(part) =>
        part.kind === 'link' ? (
          <a class="msg__link" href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          <For each={textParts(part.text)}>
            {(piece) => {
              if (piece.kind === 'text') return piece.text;
              const member = mentioned().get(piece.handle);
              return (
                <span
                  class="mention"
                  classList={{ 'mention--me': member?.id === replica?.userId }}
                  data-user-id={member?.id}
                  title={member?.name}
                >
                  {piece.text}
                </span>
              );
            }}
          </For>
        )
      }
    </For>
  );
}
