import { For, type JSX } from 'solid-js';

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
 * anchors that open in a new tab without giving the page a handle on ours.
 */
export function MessageText(props: { body: string }): JSX.Element {
  return (
    <For each={splitLinks(props.body)}>
      {(part) =>
        part.kind === 'link' ? (
          <a class="msg__link" href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          part.text
        )
      }
    </For>
  );
}
