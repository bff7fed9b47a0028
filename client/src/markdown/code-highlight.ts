import type { Element, ElementContent, Root } from 'hast';

/** A run of code and the highlight.js classes it carries (empty: plain). */
export interface CodeToken {
  text: string;
  classes: string;
}

type Highlight = (lang: string, code: string) => CodeToken[] | null;

/** Code longer than this is shown plain: colouring it would hold up the list for little gain. */
const MAX_CHARS = 20_000;
const CACHE_SIZE = 200;

let loading: Promise<Highlight> | undefined;
let loaded: Highlight | undefined;

/**
 * Colours for fenced code that names its language (```ts): highlight.js's grammars for the ~35 common
 * languages through lowlight, which answers a syntax tree instead of HTML — the message is still built
 * as DOM nodes from text, never from markup. Loaded the first time a code block is on screen.
 */
export function loadHighlighter(): Promise<Highlight> {
  loading ??= import('lowlight').then(({ common, createLowlight }) => {
    const lowlight = createLowlight(common);
    const cache = new Map<string, CodeToken[] | null>();
    loaded = (lang, code) => {
      const language = lang.trim().toLowerCase();
      if (!language || code.length > MAX_CHARS || !lowlight.registered(language)) return null;
      const key = `${language}\u0000${code}`;
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      let tokens: CodeToken[] | null;
      try {
        tokens = flatten(lowlight.highlight(language, code));
      } catch {
        tokens = null;
      }
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(key, tokens);
      return tokens;
    };
    return loaded;
  });
  return loading;
}

/** The highlighter if it has been loaded already (a code block rendered again must not flash plain first). */
export const highlighterIfLoaded = (): Highlight | undefined => loaded;

/** The tree as runs of text with the classes of every span around them; the runs join to the code exactly. */
export function flatten(root: Root): CodeToken[] {
  const out: CodeToken[] = [];
  const walk = (nodes: readonly ElementContent[], classes: string) => {
    for (const node of nodes) {
      if (node.type === 'text') {
        const last = out.at(-1);
        if (last && last.classes === classes) last.text += node.value;
        else out.push({ text: node.value, classes });
      } else if (node.type === 'element') {
        walk(node.children, [classes, ...classNames(node)].filter(Boolean).join(' '));
      }
    }
  };
  walk(root.children as ElementContent[], '');
  return out;
}

function classNames(node: Element): string[] {
  const value = node.properties.className;
  return Array.isArray(value) ? value.map(String).filter((c) => /^hljs-[\w-]+$|^[\w-]+_$/.test(c)) : [];
}
