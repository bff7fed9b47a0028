import type { JSX } from 'solid-js';
import { RefreshIcon } from './icons.tsx';

/** The room pane when the list of rooms could not be read and nothing is known of it. */
export function PaneOutOfReach(props: { title: string; message: string; onRetry: () => void }): JSX.Element {
  return (
    <div class="page page--centered">
      <div class="empty-state">
        <span class="empty-state__emoji" aria-hidden="true">
          🔌
        </span>
        <h1 class="empty-state__title">{props.title}</h1>
        <p class="empty-state__text">{props.message}</p>
        <button type="button" class="button button--primary" onClick={() => props.onRetry()}>
          <RefreshIcon />
          Try again
        </button>
      </div>
    </div>
  );
}

/** The room pane while the first list of rooms is on its way; `status` is said to screen readers. */
export function PaneLoading(props: { status?: string }): JSX.Element {
  return (
    <>
      <div class="room-pane__loading" aria-hidden="true">
        <span class="skeleton skeleton--tile skeleton--large" />
        <span class="skeleton skeleton--line skeleton--title" />
        <span class="skeleton skeleton--line" />
      </div>
      {props.status ? (
        <span class="visually-hidden" role="status">
          {props.status}
        </span>
      ) : null}
    </>
  );
}
