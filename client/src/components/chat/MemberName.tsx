import { createSignal, onCleanup, onMount, Show, type JSX } from 'solid-js';
import { placePopover, type PopoverPlace } from '../../lib/popover-place.ts';
import { Avatar } from '../Avatar.tsx';

/**
 * A message author's name that opens their card, as in Discord and Slack: who they are (name, @handle)
 * and the two things one does from a name — write to them privately, or mention them here. A card is a
 * small non-modal dialog: focus goes into it, Escape or a click elsewhere closes it and focus returns to
 * the name. A member the app cannot name (a deleted account) stays plain text.
 */
export function MemberName(props: {
  id: string | null;
  name: string;
  handle: string;
  me: string;
  /** Opens (or starts) a 1:1 conversation; absent where the app cannot go there (an embedded widget). */
  onMessage?: ((userId: string) => void) | undefined;
  /** Writes `@handle` in this conversation's composer; absent where the member cannot post. */
  onMention?: ((handle: string) => void) | undefined;
}): JSX.Element {
  const [open, setOpen] = createSignal(false);
  const [place, setPlace] = createSignal<PopoverPlace | null>(null);
  let trigger: HTMLButtonElement | undefined;
  let card: HTMLDivElement | undefined;
  const cardId = `member-card-${Math.random().toString(36).slice(2)}`;

  const close = (refocus: boolean) => {
    setOpen(false);
    setPlace(null);
    if (refocus) trigger?.focus();
  };
  const show = () => {
    setOpen(true);
    queueMicrotask(() => {
      if (trigger && card) setPlace(placePopover(trigger, card, 'start'));
      card?.querySelector<HTMLElement>('button')?.focus({ preventScroll: true });
      if (card && !card.querySelector('button')) card.focus({ preventScroll: true });
    });
  };
  const onDocumentPointer = (event: PointerEvent) => {
    if (!open()) return;
    const target = event.target as Node | null;
    if (target && (card?.contains(target) || trigger?.contains(target))) return;
    close(false);
  };
  // The log scrolled under an open card: it would point at someone else; it closes.
  const onScroll = (event: Event) => {
    if (open() && !(event.target instanceof Node && card?.contains(event.target))) close(false);
  };
  onMount(() => {
    document.addEventListener('pointerdown', onDocumentPointer);
    document.addEventListener('scroll', onScroll, true);
  });
  onCleanup(() => {
    document.removeEventListener('pointerdown', onDocumentPointer);
    document.removeEventListener('scroll', onScroll, true);
  });

  const act = (fn: () => void) => {
    close(false);
    fn();
  };

  return (
    <Show when={props.id} fallback={<span class="msg__author">{props.name}</span>}>
      {(id) => (
        <>
          <button
            ref={(el) => (trigger = el)}
            type="button"
            class="msg__author member-name"
            aria-haspopup="dialog"
            aria-expanded={open()}
            aria-controls={open() ? cardId : undefined}
            onClick={() => (open() ? close(false) : show())}
          >
            {props.name}
          </button>
          <Show when={open()}>
            <div
              ref={(el) => (card = el)}
              id={cardId}
              class="member-card"
              role="dialog"
              aria-label={props.name}
              tabIndex={-1}
              style={{
                top: `${place()?.top ?? 0}px`,
                left: `${place()?.left ?? 0}px`,
                visibility: place() ? 'visible' : 'hidden',
              }}
              onKeyDown={(event) => {
                if (event.key !== 'Escape') return;
                event.preventDefault();
                event.stopPropagation();
                close(true);
              }}
            >
              <div class="member-card__who">
                <Avatar
                  user={{
                    id: id(),
                    handle: props.handle,
                    displayName: props.name,
                    avatarUrl: null,
                    isGlobalAdmin: false,
                  }}
                  size={56}
                />
                <div>
                  <p class="member-card__name">{props.name}</p>
                  <Show when={props.handle}>
                    <p class="member-card__handle">@{props.handle}</p>
                  </Show>
                  <Show when={id() === props.me}>
                    <p class="member-card__handle">That’s you.</p>
                  </Show>
                </div>
              </div>
              <div class="member-card__actions">
                <Show when={props.onMessage && id() !== props.me}>
                  <button
                    type="button"
                    class="button button--primary button--small"
                    onClick={() => act(() => props.onMessage?.(id()))}
                  >
                    Message
                  </button>
                </Show>
                <Show when={props.onMention && props.handle && id() !== props.me}>
                  <button
                    type="button"
                    class="button button--secondary button--small"
                    onClick={() => act(() => props.onMention?.(props.handle))}
                  >
                    Mention
                  </button>
                </Show>
              </div>
            </div>
          </Show>
        </>
      )}
    </Show>
  );
}
