import { createMemo, createSignal, For, onCleanup, onMount, Show, type JSX } from 'solid-js';
import { emojiDataIfLoaded, loadEmoji, type EmojiData } from '../../emoji/emoji-data.ts';
import { searchEmoji, type EmojiEntry } from '../../emoji/emoji-search.ts';
import { SmilePlusIcon } from '../icons.tsx';
import { placePopover, type PopoverPlace } from '../../lib/popover-place.ts';

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

const COLUMNS = 8;
const SEARCH_RESULTS = 80;

/**
 * "Add reaction": a button that opens the quick reactions, a search field and every emoji by category
 * (loaded the first time a picker opens). Arrow keys move in the grid, typing in the field narrows it
 * (`party`, `:tada:`, `heart`), Escape closes it and gives focus back to the button; a click outside
 * closes it too.
 */
export function EmojiPicker(props: { onPick: (emoji: string) => void; label?: string; class?: string }): JSX.Element {
  const [open, setOpen] = createSignal(false);
  /**
   * Where the panel sits: fixed to the window, under the button or above it (where there is more room),
   * kept inside the window and shortened to fit — in a small widget frame too. Null until measured.
   */
  const [place, setPlace] = createSignal<PopoverPlace | null>(null);
  const [query, setQuery] = createSignal('');
  const [data, setData] = createSignal<EmojiData | undefined>(emojiDataIfLoaded());
  let trigger: HTMLButtonElement | undefined;
  let panel: HTMLDivElement | undefined;

  const results = createMemo(() => {
    const all = data();
    return all && query().trim() !== '' ? searchEmoji(all.entries, query(), SEARCH_RESULTS) : null;
  });
  const categories = createMemo(() => {
    const all = data();
    if (!all) return [];
    const groups = new Map<string, EmojiEntry[]>();
    for (const entry of all.entries) {
      const list = groups.get(entry.category) ?? [];
      list.push(entry);
      groups.set(entry.category, list);
    }
    return [...groups].map(([name, entries]) => ({ name, entries }));
  });
  /**
   * Categories rendered so far. Building all ~1,800 buttons at once made opening the picker take a
   * noticeable moment on a phone; the first category appears with the panel, the others one per frame
   * after it (well before a thumb scrolls to them).
   */
  const [shownCategories, setShownCategories] = createSignal(1);
  let revealFrame: number | undefined;
  const revealRest = () => {
    if (revealFrame !== undefined) return;
    const step = () => {
      revealFrame = undefined;
      if (!open()) return;
      const total = categories().length;
      if (total === 0 || shownCategories() < total) {
        if (total > 0) setShownCategories((n) => n + 1);
        revealFrame = requestAnimationFrame(step);
      }
    };
    revealFrame = requestAnimationFrame(step);
  };
  const stopRevealing = () => {
    if (revealFrame !== undefined) cancelAnimationFrame(revealFrame);
    revealFrame = undefined;
    setShownCategories(1);
  };
  onCleanup(stopRevealing);

  const position = () => {
    if (trigger && panel) setPlace(placePopover(trigger, panel));
  };
  // The list scrolled or the window changed under an open panel: it follows its button.
  const onMove = (event: Event) => {
    if (!open() || (event.target instanceof Node && panel?.contains(event.target))) return;
    position();
  };
  onMount(() => {
    document.addEventListener('scroll', onMove, true);
    window.addEventListener('resize', onMove);
  });
  onCleanup(() => {
    document.removeEventListener('scroll', onMove, true);
    window.removeEventListener('resize', onMove);
  });

  const close = (refocus: boolean) => {
    // Focus first: the panel held it, and a message's toolbar goes away once focus leaves the row.
    if (refocus) trigger?.focus();
    setOpen(false);
    stopRevealing();
    setPlace(null);
    setQuery('');
  };
  const pick = (emoji: string) => {
    props.onPick(emoji);
    close(true);
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
    const inSearch = event.target instanceof HTMLInputElement;
    if (inSearch) {
      // From the field, ↓ (or Enter on a search) goes to the first emoji found.
      const first = panel?.querySelector<HTMLButtonElement>('.emoji-picker__grid button');
      if (event.key === 'ArrowDown' && first) {
        event.preventDefault();
        first.focus();
      } else if (event.key === 'Enter' && first && query().trim() !== '') {
        event.preventDefault();
        first.click();
      }
      return;
    }
    const index = buttons.findIndex((b) => b === document.activeElement);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS }[event.key];
    if (step === undefined || index < 0) return;
    event.preventDefault();
    buttons[Math.max(0, Math.min(buttons.length - 1, index + step))]?.focus();
  };

  const option = (entry: { emoji: string; label: string; title: string }) => (
    <button
      type="button"
      class="emoji-picker__option"
      aria-label={entry.label}
      title={entry.title}
      onClick={() => pick(entry.emoji)}
    >
      <span aria-hidden="true">{entry.emoji}</span>
    </button>
  );
  // In the grid an emoji is named by its description ("party popper"); the quick row's "React with party"
  // stays the only button of that name.
  const entryOption = (entry: EmojiEntry) =>
    option({ emoji: entry.emoji, label: entry.description, title: `${entry.description} :${entry.names[0]}:` });

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
          if (open()) return close(false);
          setOpen(true);
          if (!data()) void loadEmoji().then(setData);
          revealRest();
          queueMicrotask(() => {
            position();
            panel?.querySelector('button')?.focus({ preventScroll: true });
          });
        }}
      >
        <SmilePlusIcon />
      </button>
      <Show when={open()}>
        <div
          ref={(el) => (panel = el)}
          class="emoji-picker__panel"
          style={{
            top: `${place()?.top ?? 0}px`,
            left: `${place()?.left ?? 0}px`,
            'max-height': place() ? `${place()!.maxHeight}px` : undefined,
            visibility: place() ? 'visible' : 'hidden',
          }}
          role="group"
          aria-label="Choose a reaction"
          onKeyDown={onKeyDown}
        >
          <div class="emoji-picker__quick">
            <For each={QUICK_REACTIONS}>
              {(item) => option({ emoji: item.emoji, label: `React with ${item.name}`, title: item.name })}
            </For>
          </div>
          <input
            type="search"
            class="emoji-picker__search"
            placeholder="Search emoji"
            aria-label="Search emoji"
            value={query()}
            onInput={(event) => setQuery(event.currentTarget.value)}
          />
          <div class="emoji-picker__grid" role="group" aria-label={results() ? 'Emoji found' : 'All emoji'}>
            <Show when={data()} fallback={<p class="emoji-picker__note">Loading emoji…</p>}>
              <Show
                when={results()}
                fallback={
                  <For each={categories().slice(0, shownCategories())}>
                    {(category) => (
                      <section class="emoji-picker__category" aria-label={category.name}>
                        <h3 class="emoji-picker__heading">{category.name}</h3>
                        <div class="emoji-picker__options">
                          <For each={category.entries}>{entryOption}</For>
                        </div>
                      </section>
                    )}
                  </For>
                }
              >
                {(found) => (
                  <Show
                    when={found().length > 0}
                    fallback={<p class="emoji-picker__note">No emoji called “{query().trim()}”.</p>}
                  >
                    <div class="emoji-picker__options">
                      <For each={found()}>{entryOption}</For>
                    </div>
                  </Show>
                )}
              </Show>
            </Show>
          </div>
        </div>
      </Show>
    </span>
  );
}
