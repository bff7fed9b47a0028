import { Show, type JSX } from 'solid-js';
import type { MessagePlace } from '../../api/community.ts';
import { Link } from '../Link.tsx';

/**
 * A link that opens a moderated message in its conversation (the page pages older history in to reach it
 * and highlights it), so a moderator judges its tone in context. A direct message the moderator is not in
 * has no link, and says why rather than leading to a refusal.
 */
export function MessagePlaceLink(props: { place: MessagePlace | null | undefined; class?: string }): JSX.Element {
  const label = (place: MessagePlace) =>
    !place.opensAtMessage
      ? 'Open its thread’s start'
      : place.channelKind === 'thread'
        ? 'Show in its thread'
        : 'Show in the conversation';
  return (
    <Show when={props.place}>
      {(place) => (
        <Show
          when={place().path}
          fallback={
            <Show when={place().channelKind === 'dm'}>
              <span class={`side-panel__note ${props.class ?? ''}`}>
                In a private conversation: only its members can open it.
              </span>
            </Show>
          }
        >
          {(path) =>
            // The app's own pages open in place; a project's discussion is its widget's page.
            path().startsWith('/embed/') ? (
              <a class={props.class} href={path()}>
                {label(place())}
              </a>
            ) : (
              <Link class={props.class} href={path()}>
                {label(place())}
              </Link>
            )
          }
        </Show>
      )}
    </Show>
  );
}
