import { Show, type JSX } from 'solid-js';
import { safeHref } from '../../../../shared/markdown/message-markdown.ts';
import type { LinkPreview } from '../../../../shared/sync/channel-doc.ts';

/**
 * The card under a message with a web address: the site's name, the page's title as the link, and its
 * description. Text only (the server read it; nothing loads from the site), the address checked again
 * here, opened in a new tab without handing the site this page.
 */
export function LinkCard(props: { preview: LinkPreview }): JSX.Element {
  const href = () => safeHref(props.preview.url);
  return (
    <Show when={href()}>
      {(url) => (
        <aside class="link-card" aria-label={`Link preview: ${props.preview.title}`}>
          <span class="link-card__site">{props.preview.siteName}</span>
          <a class="link-card__title" href={url()} target="_blank" rel="noopener noreferrer nofollow ugc">
            {props.preview.title}
          </a>
          <Show when={props.preview.description}>
            {(description) => <p class="link-card__description">{description()}</p>}
          </Show>
        </aside>
      )}
    </Show>
  );
}
