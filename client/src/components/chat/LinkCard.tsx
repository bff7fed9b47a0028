import { Show, type JSX } from 'solid-js';
import { safeHref } from '../../../../shared/markdown/message-markdown.ts';
import type { LinkPreview, LinkPreviewImage } from '../../../../shared/sync/channel-doc.ts';

/** A wide picture (a page's banner) goes under the words; a squarer one is a thumbnail beside them. */
const isBanner = (image: LinkPreviewImage) => image.width >= 400 && image.width / image.height >= 1.3;

/**
 * The card under a message with a web address: the site's name, the page's title as the link, its
 * description and its picture. The server read the page and copied the picture; nothing loads from the
 * site on readers' devices. The address is checked again here and opened in a new tab without handing the
 * site this page. The picture is decoration beside the title that names it (empty alt text).
 */
export function LinkCard(props: { preview: LinkPreview }): JSX.Element {
  const href = () => safeHref(props.preview.url);
  const image = () => props.preview.image ?? null;
  return (
    <Show when={href()}>
      {(url) => (
        <aside
          class="link-card"
          classList={{
            'link-card--banner': image() !== null && isBanner(image()!),
            'link-card--thumbnail': image() !== null && !isBanner(image()!),
          }}
          aria-label={`Link preview: ${props.preview.title}`}
        >
          <span class="link-card__site">{props.preview.siteName}</span>
          <a class="link-card__title" href={url()} target="_blank" rel="noopener noreferrer nofollow ugc">
            {props.preview.title}
          </a>
          <Show when={props.preview.description}>
            {(description) => <p class="link-card__description">{description()}</p>}
          </Show>
          <Show when={image()}>
            {(picture) => (
              <img
                class="link-card__image"
                src={`/api/link-images/${encodeURIComponent(picture().id)}`}
                width={picture().width}
                height={picture().height}
                alt=""
                loading="lazy"
                decoding="async"
              />
            )}
          </Show>
        </aside>
      )}
    </Show>
  );
}
