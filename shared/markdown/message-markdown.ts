import { Lexer, type Token, type Tokens } from 'marked';
import { excerpt } from '../rules/text.ts';

/**
 * Messages are written in Markdown, the way members already write on Discord, Slack and GitHub: a
 * help-room question needs its code as code. This module turns a body into a small tree of the parts
 * Lounge shows — never HTML: the client builds DOM nodes from it (no innerHTML anywhere), so a body can
 * only ever be text, and the server uses the same reading for plain-text quotes (emails, pushes, thread
 * titles). What a member typed that this tree has no place for (raw HTML, a link to `javascript:`, a
 * link definition) is shown as the characters they typed, so nothing written is ever hidden.
 */

export type MdInline =
  | { kind: 'text'; text: string }
  | { kind: 'strong' | 'em' | 'del'; children: MdInline[] }
  | { kind: 'code'; text: string }
  | { kind: 'link'; href: string; children: MdInline[] }
  | { kind: 'break' };

export type MdAlign = 'left' | 'center' | 'right' | null;

export interface MdListItem {
  /** A `- [ ]` / `- [x]` item: `checked` says which. */
  task: boolean;
  checked: boolean;
  blocks: MdBlock[];
}

export type MdBlock =
  | { kind: 'paragraph'; children: MdInline[] }
  | { kind: 'heading'; level: 1 | 2 | 3; children: MdInline[] }
  | { kind: 'code'; lang: string; text: string }
  | { kind: 'quote'; blocks: MdBlock[] }
  | { kind: 'list'; ordered: boolean; start: number; items: MdListItem[] }
  | { kind: 'table'; align: MdAlign[]; header: MdInline[][]; rows: MdInline[][][] }
  | { kind: 'rule' };

// Quotes in quotes in lists…: past this depth the rest shows as typed (a pathological body must not
// build a tree the renderer recurses through without end).
const MAX_DEPTH = 8;
// Markers at the start of one line (quote, bullet, number), whitespace before each: one way to match.
const DEEP_NESTING = /^(?:[ \t]*(?:>|[*+-]|\d{1,9}[.)])){9}/m;
// A chat line is not a document: `#` to `######` all read as a heading, at three sizes at most.
const MAX_HEADING = 3;

// The WHATWG URL parser both sides have (browsers and Node); shared/ is compiled without DOM or Node types.
const WebUrl = (globalThis as unknown as { URL: new (input: string) => { protocol: string; href: string } }).URL;

/** Only http(s) links become links; anything else (javascript:, data:, mailto:, …) stays text. */
export function safeHref(candidate: string): string | null {
  try {
    const url = new WebUrl(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * The body's blocks. `breaks`: a line break in a chat message is a line break (CommonMark would join the
 * lines into one paragraph); `gfm`: tables, ~~strike~~, task lists and bare links, as on GitHub.
 */
export function parseMessage(body: string): MdBlock[] {
  if (body.length === 0) return [];
  // A line that opens more quotes or lists than a tree is drawn for (MAX_DEPTH) is nobody's message: as typed, without the lexer's time.
  if (DEEP_NESTING.test(body)) return [asTypedLines(body)];
  let tokens: Token[];
  try {
    tokens = Lexer.lex(body, { gfm: true, breaks: true });
  } catch {
    // The lexer recurses once per nesting level: a body of 2,000 ">" or "- " exhausts the stack. Such a
    // body is shown as typed, line by line, rather than breaking the conversation it is in.
    return [asTypedLines(body)];
  }
  return blocksOf(tokens, 0);
}

function asTypedLines(body: string): MdBlock {
  const children: MdInline[] = [];
  body.split('\n').forEach((line, i) => {
    if (i > 0) children.push({ kind: 'break' });
    if (line !== '') children.push(plain(line));
  });
  return { kind: 'paragraph', children };
}

function blocksOf(tokens: readonly Token[], depth: number): MdBlock[] {
  const blocks: MdBlock[] = [];
  for (const token of tokens) {
    const block = blockOf(token, depth);
    if (block) blocks.push(block);
  }
  return blocks;
}

function asTyped(raw: string): MdBlock {
  return { kind: 'paragraph', children: [{ kind: 'text', text: raw.replace(/\n+$/, '') }] };
}

function blockOf(token: Token, depth: number): MdBlock | null {
  if (depth > MAX_DEPTH) return asTyped(token.raw);
  switch (token.type) {
    case 'space':
    case 'checkbox': // a task item's box: the item's `task` and `checked` say it
      return null;
    case 'paragraph':
      return { kind: 'paragraph', children: inlineOf(token.tokens ?? [], depth) };
    case 'text': {
      // A tight list item's text: inline tokens of its own, or none for plain words.
      const text = token as Tokens.Text;
      return { kind: 'paragraph', children: text.tokens ? inlineOf(text.tokens, depth) : [plain(text.text)] };
    }
    case 'heading': {
      const heading = token as Tokens.Heading;
      return {
        kind: 'heading',
        level: Math.min(heading.depth, MAX_HEADING) as 1 | 2 | 3,
        children: inlineOf(heading.tokens, depth),
      };
    }
    case 'code': {
      const code = token as Tokens.Code;
      // "```ts title=x" names the language by its first word; an indented block names none.
      return { kind: 'code', lang: (code.lang ?? '').trim().split(/\s+/)[0] ?? '', text: code.text };
    }
    case 'blockquote':
      return { kind: 'quote', blocks: blocksOf((token as Tokens.Blockquote).tokens, depth + 1) };
    case 'list': {
      const list = token as Tokens.List;
      const start = typeof list.start === 'number' && Number.isSafeInteger(list.start) ? list.start : 1;
      return {
        kind: 'list',
        ordered: list.ordered,
        start,
        items: list.items.map((item) => ({
          task: item.task,
          checked: item.checked === true,
          blocks: blocksOf(item.tokens, depth + 1),
        })),
      };
    }
    case 'table': {
      const table = token as Tokens.Table;
      return {
        kind: 'table',
        align: table.align.map((a) => a ?? null),
        header: table.header.map((cell) => inlineOf(cell.tokens, depth)),
        rows: table.rows.map((row) => row.map((cell) => inlineOf(cell.tokens, depth))),
      };
    }
    case 'hr':
      return { kind: 'rule' };
    default:
      // Raw HTML blocks, link definitions (`[1]: https://…` would otherwise vanish), anything new.
      return asTyped(token.raw);
  }
}

const plain = (text: string): MdInline => ({ kind: 'text', text });

function inlineOf(tokens: readonly Token[], depth: number): MdInline[] {
  const parts: MdInline[] = [];
  for (const token of tokens) {
    if (token.type === 'checkbox') continue; // a loose task item's box, inside its paragraph
    // Text that carries inline tokens of its own stands for them.
    const nested = token.type === 'text' ? (token as Tokens.Text).tokens : undefined;
    for (const part of nested ? inlineOf(nested, depth + 1) : [inlinePart(token, depth)]) {
      // Neighbouring text (split by escapes and raw HTML) is one part: a mention can span the split.
      const last = parts[parts.length - 1];
      if (part.kind === 'text' && last?.kind === 'text') parts[parts.length - 1] = plain(last.text + part.text);
      else parts.push(part);
    }
  }
  return parts;
}

function inlinePart(token: Token, depth: number): MdInline {
  if (depth > MAX_DEPTH) return plain(token.raw);
  switch (token.type) {
    case 'text':
      return plain((token as Tokens.Text).text);
    case 'escape':
      return plain((token as Tokens.Escape).text);
    case 'strong':
    case 'em':
    case 'del':
      return { kind: token.type, children: inlineOf((token as Tokens.Strong).tokens, depth + 1) };
    case 'codespan':
      return { kind: 'code', text: (token as Tokens.Codespan).text };
    case 'br':
      return { kind: 'break' };
    case 'link': {
      const link = token as Tokens.Link;
      const href = safeHref(link.href);
      return href ? { kind: 'link', href, children: inlineOf(link.tokens, depth + 1) } : plain(link.raw);
    }
    case 'image': {
      // No images from elsewhere in a message (they would tell that site who read it): a link to it.
      const image = token as Tokens.Image;
      const href = safeHref(image.href);
      return href ? { kind: 'link', href, children: [plain(image.text || image.href)] } : plain(image.raw);
    }
    default:
      // Inline HTML and anything new: as typed.
      return plain(token.raw);
  }
}

/**
 * The words of a body without its Markdown: for quotes in emails and pushes, thread titles and
 * previews. Blocks are separate lines; code keeps its text.
 */
export function markdownToPlainText(body: string): string {
  return parseMessage(body).map(blockText).join('\n');
}

function blockText(block: MdBlock): string {
  switch (block.kind) {
    case 'paragraph':
    case 'heading':
      return inlineText(block.children);
    case 'code':
      return block.text;
    case 'quote':
      return block.blocks.map(blockText).join('\n');
    case 'list':
      return block.items.map((item) => item.blocks.map(blockText).join('\n')).join('\n');
    case 'table':
      return [block.header, ...block.rows].map((row) => row.map(inlineText).join(' ')).join('\n');
    case 'rule':
      return '';
  }
}

function inlineText(parts: readonly MdInline[]): string {
  return parts
    .map((part) => {
      switch (part.kind) {
        case 'text':
        case 'code':
          return part.text;
        case 'break':
          return '\n';
        default:
          return inlineText(part.children);
      }
    })
    .join('');
}

const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Whether `text` up to `caret` is inside a fenced code block the member has opened and not closed yet:
 * there, Enter writes a new line (code has many) instead of sending half a block, as in Slack.
 */
export function insideOpenFence(text: string, caret: number): boolean {
  let open: string | null = null;
  for (const line of text.slice(0, caret).split('\n')) {
    const fence = FENCE_LINE.exec(line)?.[1];
    if (!fence) continue;
    if (open === null) open = fence;
    // Closed by a fence of the same character at least as long, with nothing after it.
    else if (fence[0] === open[0] && fence.length >= open.length && line.trim() === fence) open = null;
  }
  return open !== null;
}

/**
 * A short quote of a message for a notification or a preview: its words without their marks. Only the
 * body's start is read: a long list costs the lexer tens of milliseconds, and a quote needs a few words.
 */
export function messageExcerpt(body: string, maxChars: number): string {
  return excerpt(markdownToPlainText(startOf(body, maxChars * 4 + 200)), maxChars);
}

/**
 * A thread's title from a message: its first line of words, not its Markdown ("**How do I** …" gives "How
 * do I …"; a message that opens with a code block, the block's first line; marks alone, as typed), at most
 * `maxChars` code points. Help rooms title their questions' threads so; "Start a thread" suggests it.
 */
export function threadTitleFrom(body: string, maxChars: number): string {
  const firstLineOf = (text: string) =>
    text
      .split('\n')
      .find((line) => line.trim().length > 0)
      ?.trim();
  // The start of the body holds the first line (a long list would cost the lexer tens of milliseconds).
  const firstLine = firstLineOf(markdownToPlainText(startOf(body, 1000))) ?? firstLineOf(body) ?? body;
  const chars = [...firstLine];
  return chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : firstLine;
}

/** The first `maxChars` code points of `text` (never half an emoji). */
export function startOf(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : [...text].slice(0, maxChars).join('');
}

/**
 * Whether `body` may link anywhere: a cheap test before parsing. False means `firstLink` is null; true
 * means only that it is worth asking.
 */
export function mayLink(body: string): boolean {
  return /https?:\/\//i.test(body);
}

/**
 * The first web address a message links to, in reading order, outside code (a link written in a code
 * block is code): what its link preview shows. Null when it links nowhere.
 */
export function firstLink(body: string): string | null {
  if (!mayLink(body)) return null;
  const inInline = (nodes: readonly MdInline[]): string | null => {
    for (const node of nodes) {
      if (node.kind === 'link') return node.href;
      if (node.kind === 'strong' || node.kind === 'em' || node.kind === 'del') {
        const found = inInline(node.children);
        if (found) return found;
      }
    }
    return null;
  };
  const inBlocks = (blocks: readonly MdBlock[]): string | null => {
    for (const block of blocks) {
      let found: string | null = null;
      if (block.kind === 'paragraph' || block.kind === 'heading') found = inInline(block.children);
      else if (block.kind === 'quote') found = inBlocks(block.blocks);
      else if (block.kind === 'list') for (const item of block.items) found ??= inBlocks(item.blocks);
      else if (block.kind === 'table')
        for (const row of [block.header, ...block.rows]) for (const cell of row) found ??= inInline(cell);
      if (found) return found;
    }
    return null;
  };
  return inBlocks(parseMessage(body));
}
