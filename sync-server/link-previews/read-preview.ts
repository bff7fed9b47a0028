import { Parser } from 'htmlparser2';
import type { LinkPreview } from '../../shared/sync/channel-doc.ts';

const TITLE_MAX = 200;
const DESCRIPTION_MAX = 300;

/** A page's card, and the address of the picture it names (which the server copies, if it may). */
export interface PageCard {
  card: LinkPreview;
  imageUrl: string | null;
}

/**
 * What a page says about itself, from its `<head>`: Open Graph first (what sites write for exactly this),
 * then Twitter's card tags, then `<title>` and the meta description. The picture is only named here (an
 * absolute http(s) address): readers' devices never load it from the site. Null when the page names nothing.
 */
export function readPreview(html: string, url: string): PageCard | null {
  const meta = new Map<string, string>();
  let title = '';
  let inTitle = false;
  let done = false;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (done) return;
        if (name === 'body') done = true;
        else if (name === 'title') inTitle = true;
        else if (name === 'meta') {
          const key = (attributes.property ?? attributes.name ?? '').toLowerCase();
          const content = attributes.content;
          if (key && content !== undefined && !meta.has(key)) meta.set(key, content);
        }
      },
      ontext(text) {
        if (inTitle && !done) title += text;
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        if (name === 'head') done = true;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();

  const pick = (...keys: string[]) => keys.map((k) => tidy(meta.get(k) ?? '')).find((v) => v !== '') ?? '';
  const pageTitle = pick('og:title', 'twitter:title') || tidy(title);
  if (!pageTitle) return null;
  const description = pick('og:description', 'twitter:description', 'description');
  return {
    card: {
      url,
      title: cut(pageTitle, TITLE_MAX),
      description: description ? cut(description, DESCRIPTION_MAX) : null,
      siteName: cut(pick('og:site_name') || new URL(url).hostname.replace(/^www\./, ''), 80),
    },
    imageUrl: webAddress(pick('og:image:secure_url', 'og:image', 'og:image:url', 'twitter:image'), url),
  };
}

/** `href` made absolute against the page, when it is a web address; null otherwise (data:, javascript:…). */
function webAddress(href: string, base: string): string | null {
  if (!href) return null;
  try {
    const resolved = new URL(href, base);
    return resolved.protocol === 'http:' || resolved.protocol === 'https:' ? resolved.href : null;
  } catch {
    return null;
  }
}

const tidy = (text: string) => text.replace(/\s+/g, ' ').trim();

function cut(text: string, max: number): string {
  const points = [...text];
  return points.length <= max
    ? text
    : `${points
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}
