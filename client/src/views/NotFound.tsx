import type { JSX } from 'solid-js';
import { Link } from '../components/Link.tsx';
import { useDocumentTitle } from '../lib/document-title.ts';
import { paths } from '../router.ts';

export function NotFound(props: { what?: string }): JSX.Element {
  useDocumentTitle(() => 'Not found');
  return (
    <div class="empty-state">
      <span class="empty-state__emoji" aria-hidden="true">
        🧭
      </span>
      <h1 class="empty-state__title">Nothing here</h1>
      <p class="empty-state__text">{props.what ?? 'This page does not exist, or it moved.'}</p>
      <Link class="button button--secondary" href={paths.lounge}>
        Go to The Lounge
      </Link>
    </div>
  );
}

/** A room the member may not open, with the server's reason ("You are banned from General Chat: spam"). */
export function RoomRefused(props: { reason: string }): JSX.Element {
  useDocumentTitle(() => 'Room closed to you');
  return (
    <div class="empty-state">
      <span class="empty-state__emoji" aria-hidden="true">
        🚪
      </span>
      <h1 class="empty-state__title">You can’t open this room</h1>
      <p class="empty-state__text" role="status">
        {props.reason}
      </p>
      <Link class="button button--secondary" href={paths.lounge}>
        Go to The Lounge
      </Link>
    </div>
  );
}
