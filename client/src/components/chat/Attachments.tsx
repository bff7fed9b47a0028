import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import { isImageType, type AttachmentView } from '../../../../shared/sync/channel-doc.ts';
import { formatBytes } from '../../api/attachments.ts';
import { CloseIcon, FileIcon, ImageIcon } from '../icons.tsx';
import { shownSize } from './attachment-layout.ts';

const TYPE_LABEL: Record<AttachmentView['type'], string> = {
  'image/png': 'PNG image',
  'image/jpeg': 'JPEG image',
  'image/gif': 'GIF image',
  'image/webp': 'WebP image',
  'application/pdf': 'PDF',
  'text/plain': 'Text',
};

/**
 * A message's files: images drawn in their own proportions (opening one shows it full size in a new
 * tab), other files as a card that downloads. Bytes are fetched with the member's token through
 * `fileUrl`; a file that cannot be loaded (offline and never seen, or no longer available) says so in
 * its place.
 */
export function MessageAttachments(props: {
  files: readonly AttachmentView[];
  fileUrl: (id: string) => Promise<string>;
}): JSX.Element {
  return (
    <ul
      class="attachments"
      aria-label={props.files.length === 1 ? 'Attached file' : `${props.files.length} attached files`}
    >
      <For each={props.files}>
        {(file) => (
          <li class="attachments__item">
            <Show when={isImageType(file.type)} fallback={<FileCard file={file} fileUrl={props.fileUrl} />}>
              <ImageAttachment file={file} fileUrl={props.fileUrl} />
            </Show>
          </li>
        )}
      </For>
    </ul>
  );
}

function ImageAttachment(props: { file: AttachmentView; fileUrl: (id: string) => Promise<string> }): JSX.Element {
  const [url] = createResource(() => props.file.id, props.fileUrl);
  const size = () => shownSize(props.file);
  const [viewing, setViewing] = createSignal(false);
  return (
    <Show
      when={!url.error}
      fallback={
        <p class="attachment attachment--missing" style={{ width: `${size().width}px` }}>
          <ImageIcon />
          <span>
            {props.file.name} · {url.error instanceof Error ? url.error.message : 'not available'}
          </span>
        </p>
      }
    >
      <a
        class="attachment attachment--image"
        href={url() ?? '#'}
        target="_blank"
        rel="noopener"
        aria-busy={url.loading ? 'true' : undefined}
        // Its own proportions, reserved before the bytes arrive, and scaled down as a whole on a narrow
        // screen (a fixed height would letterbox it there).
        style={{ width: `${size().width}px`, 'aspect-ratio': `${size().width} / ${size().height}` }}
        onClick={(event) => {
          // A plain click opens the viewer here; a middle or modified click still opens a tab.
          if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
          event.preventDefault();
          if (url()) setViewing(true);
        }}
      >
        <Show when={url()}>
          {(src) => (
            <img src={src()} alt={props.file.name} width={size().width} height={size().height} decoding="async" />
          )}
        </Show>
        <span class="visually-hidden">Open image {props.file.name} full size</span>
      </a>
      {/* Made only while open: a log of many images holds no hidden copy of each. */}
      <Show when={viewing() && url()}>
        {(src) => (
          <dialog
            ref={(el) => queueMicrotask(() => el.isConnected && el.showModal())}
            class="image-viewer"
            aria-label={`Image: ${props.file.name}`}
            // Escape, the close button and a click on the backdrop (the dialog itself, around its content)
            // all close it; closing takes it away.
            onClose={() => setViewing(false)}
            onClick={(event) => {
              if (event.target === event.currentTarget) event.currentTarget.close();
            }}
          >
            <div class="image-viewer__bar">
              <span class="image-viewer__name">
                {props.file.name}
                <span class="image-viewer__meta">
                  {' '}
                  · {props.file.width} × {props.file.height} · {formatBytes(props.file.size)}
                </span>
              </span>
              <a class="button button--secondary button--small" href={src()} download={props.file.name}>
                Download
              </a>
              <button
                type="button"
                class="icon-button"
                aria-label="Close"
                onClick={(event) => event.currentTarget.closest('dialog')?.close()}
              >
                <CloseIcon />
              </button>
            </div>
            <img class="image-viewer__image" src={src()} alt={props.file.name} />
          </dialog>
        )}
      </Show>
    </Show>
  );
}

function FileCard(props: { file: AttachmentView; fileUrl: (id: string) => Promise<string> }): JSX.Element {
  let link: HTMLAnchorElement | undefined;
  // Fetched when asked for (a click), not for every file card scrolled past.
  const [href, setHref] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  return (
    <a
      ref={(el) => (link = el)}
      class="attachment attachment--file"
      href={href() ?? `#file-${props.file.id}`}
      download={props.file.name}
      onClick={(event) => {
        if (href()) return;
        event.preventDefault();
        setError(null);
        props.fileUrl(props.file.id).then(
          (url) => {
            setHref(url);
            link?.click();
          },
          (err: unknown) => setError(err instanceof Error ? err.message : 'Not available'),
        );
      }}
    >
      <FileIcon />
      <span class="attachment__name">{props.file.name}</span>
      <span class="attachment__meta">
        {TYPE_LABEL[props.file.type]} · {formatBytes(props.file.size)}
      </span>
      <Show when={error()}>
        {(message) => (
          <span class="attachment__error" role="status">
            {message()}
          </span>
        )}
      </Show>
    </a>
  );
}
