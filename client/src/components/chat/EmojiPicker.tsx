import { createSignal, For, onCleanup, onMount, Show, type JSX } from 'solid-js';
import { SmilePlusIcon } from '../icons.tsx';

/** The quick reactions: one tap each, like the row every chat app puts on a message. */
export const QUICK_REACTIONS: ReadonlyArray<{ emoji: string; name: string }> = [
  { emoji: '👍', name: 'thumbs up' },
  { emoji: '❤️', name: 'heart' },
  { emoji: '😂', name: 'laughing' },
  { emoji: '🎉', name: 'party' },
  { emoji: '😮', name: 'surprised' },
  { emoji: '😢', name: 'sad' },
  { emoji: '🙏', name: 'thank you' },
  { emoji: '🔥', name: 'fire' },
];

const PANEL_HEIGHT_PX = 110;

/**
 * "Add reaction": a button that opens a small grid of emoji. Arrow keys move in the grid, Escape
 * closes it and gives focus back to the button; a click outside closes it too.
 */
export function EmojiPicker(props: { onPick: (emoji: string) => void; label?: string; class?: string }): JSX.Element {
  const [open, setOpen] = createSignal(false);
  /** Opens upwards when the scrolling list has no room for it below the button. */
  const [upwards, setUpwards] = createSignal(false);
  let trigger: HTMLButtonElement | undefined;
  let panel: HTMLDivElement | undefined;

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) trigger?.focus();
  };
  const onDocumentPointer = (event: PointerEvent) => {
    if (!open()) return;
    const target = event.target as Node | null;
    if (target && (panel?.contains(target) || trigger?.contains(target))) return;
    close(false);
  };
  onMount(() => document.addEventListener('pointerdown', onDocumentPointer));
  onCleanup(() => document.removeEventListener('pointerdown', onDocumentPointer));

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close(true);
      return;
    }
    const buttons = Array.from(panel?.querySelectorAll<HTMLButtonElement>('button') ?? []);
    const index = buttons.findIndex((b) => b === document.activeElement);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 4, ArrowUp: -4 }[event.key];
    if (step === undefined || index < 0) return;
    event.preventDefault();
    buttons[(index + step + buttons.length) % buttons.length]?.focus();
  };

  return (
    <span class={`emoji-picker ${props.class ?? ''}`}>
      <button
        ref={(el) => (trigger = el)}
        type="button"
        class="icon-button"
        aria-label={props.label ?? 'Add reaction'}
        title={props.label ?? 'Add reaction'}
        aria-expanded={open()}
        aria-haspopup="true"
        onClick={() => {
          if (!open() && trigger) {
            const bounds = trigger.closest('.chat__scroller')?.getBoundingClientRect();
            const below = (bounds?.bottom ?? window.innerHeight) - trigger.getBoundingClientRect().bottom;
            setUpwards(below < PANEL_HEIGHT_PX);
          }
          setOpen(!open());
          if (open()) queueMicrotask(() => panel?.querySelector('button')?.focus());
        }}
      >
        <SmilePlusIcon />
      </button>
      <Show when={open()}>
        <div
          ref={(el) => (panel = el)}
          class="emoji-picker__panel"
          classList={{ 'emoji-picker__panel--up': upwards() }}
          role="group"
          aria-label="Choose a reaction"
          onKeyDown={onKeyDown}
        >
          <For each={QUICK_REACTIONS}>
            {(item) => (
              <button
                type="button"
                class="emoji-picker__option"
                aria-label={`React with ${item.name}`}
                title={item.name}
                onClick={() => {
                  props.onPick(item.emoji);
                  close(true);
                }}
              >
                <span aria-hidden="true">{item.emoji}</span>
              </button>
            )}
          </For>
        </div>
      </Show>
    </span>
  );
}
