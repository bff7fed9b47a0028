import { createEffect, createSignal, on, onCleanup, Show, untrack, type JSX } from 'solid-js';
import { LIMITS } from '../../../../shared/rules/limits.ts';
import { charCount } from '../../../../shared/rules/text.ts';
import { CloseIcon, SendIcon } from '../icons.tsx';

export interface ReplyTarget {
  id: string;
  authorName: string;
  snippet: string;
}

export interface ComposerHandle {
  /** Puts text in the composer (editing a refused send) and focuses it. */
  fill: (text: string) => void;
  focus: () => void;
}

const MAX = LIMITS.text.messageBodyMaxChars;
/** The counter appears when a message gets long, not for every "hi". */
const COUNTER_FROM = MAX - 1000;
const DRAFT_SAVE_MS = 300;
const MAX_HEIGHT_PX = 220;

/**
 * Where a member writes. Enter sends, Shift+Enter starts a new line; the draft is saved per channel in
 * the member's private doc (so it survives reloads and follows them to their other devices); typing is
 * announced to the room; a counter appears near the 4,000-character limit.
 */
export function Composer(props: {
  channelId: string;
  roomName: string;
  /** The saved draft (read when the channel changes, and when another device changes it). */
  draft: () => string;
  onRemoteDraft: (fn: (channelId: string, text: string) => void) => () => void;
  saveDraft: (channelId: string, text: string) => void;
  onSend: (body: string, replyToId: string | null) => void;
  onTyping: (active: boolean) => void;
  replyTo: ReplyTarget | null;
  onCancelReply: () => void;
  ref?: (handle: ComposerHandle) => void;
}): JSX.Element {
  const [text, setText] = createSignal('');
  /** Ids unique per composer: a room and its open thread each have one on screen. */
  const uid = Math.random().toString(36).slice(2, 8);
  const [error, setError] = createSignal<string | null>(null);
  let input: HTMLTextAreaElement | undefined;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let dirty = false;
  /** The channel on screen, readable without tracking (cleanup must not touch reactive props). */
  let currentChannel = '';

  const count = () => charCount(text());
  const tooLong = () => count() > MAX;
  const canSend = () => text().trim() !== '' && !tooLong();

  const autosize = () => {
    if (!input) return;
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, MAX_HEIGHT_PX)}px`;
  };

  const flushDraft = (channelId: string) => {
    clearTimeout(saveTimer);
    if (!dirty) return;
    dirty = false;
    props.saveDraft(channelId, text());
  };

  // A new channel: save the old draft, show the new one.
  createEffect(
    on(
      () => props.channelId,
      (channelId, previous) => {
        if (previous) flushDraft(previous);
        currentChannel = channelId;
        setText(props.draft());
        setError(null);
        queueMicrotask(autosize);
      },
    ),
  );
  // The replica finished loading, or another device changed this draft while it was not being edited here.
  createEffect(
    on(props.draft, (draft) => {
      if (!dirty && draft !== text()) {
        setText(draft);
        queueMicrotask(autosize);
      }
    }),
  );
  const saveDraft = props.saveDraft;
  const stopRemote = props.onRemoteDraft((channelId, remote) => {
    if (channelId !== currentChannel || dirty || remote === text()) return;
    setText(remote);
    queueMicrotask(autosize);
  });
  let disposed = false;
  onCleanup(() => {
    disposed = true;
    stopRemote();
    // Writing to the replica notifies signals; that must not happen while Solid is disposing this view.
    const channelId = currentChannel;
    const unsaved = dirty ? untrack(text) : null;
    clearTimeout(saveTimer);
    if (unsaved !== null) queueMicrotask(() => saveDraft(channelId, unsaved));
  });

  const send = () => {
    const body = text().trim();
    if (body === '') return;
    if (tooLong()) {
      setError(`Messages can be at most ${MAX.toLocaleString()} characters.`);
      return;
    }
    props.onSend(body, props.replyTo?.id ?? null);
    setText('');
    setError(null);
    dirty = true;
    flushDraft(currentChannel);
    props.onTyping(false);
    queueMicrotask(autosize);
  };

  props.ref?.({
    fill: (value) => {
      setText(value);
      dirty = true;
      flushDraft(currentChannel);
      queueMicrotask(() => {
        autosize();
        input?.focus();
      });
    },
    focus: () => input?.focus(),
  });

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <Show when={props.replyTo}>
        {(reply) => (
          <div class="composer__reply">
            <span class="composer__reply-text">
              Replying to <strong>{reply().authorName}</strong>
              <span class="composer__reply-snippet">{reply().snippet}</span>
            </span>
            <button type="button" class="icon-button" aria-label="Cancel reply" onClick={() => props.onCancelReply()}>
              <CloseIcon />
            </button>
          </div>
        )}
      </Show>
      <div class="composer__box" classList={{ 'composer__box--invalid': tooLong() }}>
        <label class="visually-hidden" for={`composer-input-${uid}`}>
          Message {props.roomName}
        </label>
        <textarea
          ref={(el) => (input = el)}
          id={`composer-input-${uid}`}
          class="composer__input"
          rows={1}
          placeholder={`Message ${props.roomName}`}
          aria-describedby={`composer-hint-${uid} composer-count-${uid}`}
          aria-invalid={tooLong() ? 'true' : undefined}
          value={text()}
          onInput={(event) => {
            setText(event.currentTarget.value);
            setError(null);
            dirty = true;
            clearTimeout(saveTimer);
            saveTimer = setTimeout(() => flushDraft(currentChannel), DRAFT_SAVE_MS);
            props.onTyping(event.currentTarget.value.trim() !== '');
            autosize();
          }}
          onBlur={() => {
            // Removing a focused field fires blur while Solid disposes the view: act after that.
            queueMicrotask(() => {
              if (disposed) return;
              flushDraft(currentChannel);
              props.onTyping(false);
            });
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              send();
            } else if (event.key === 'Escape' && props.replyTo) {
              event.preventDefault();
              props.onCancelReply();
            }
          }}
        />
        <button type="submit" class="composer__send" aria-label="Send message" title="Send" disabled={!canSend()}>
          <SendIcon />
        </button>
      </div>
      <div class="composer__footer">
        <span class="composer__hint" id={`composer-hint-${uid}`}>
          <kbd>Enter</kbd> to send · <kbd>Shift</kbd> + <kbd>Enter</kbd> for a new line
        </span>
        <span
          class="composer__count"
          classList={{ 'composer__count--over': tooLong(), 'composer__count--hidden': count() < COUNTER_FROM }}
          id={`composer-count-${uid}`}
          aria-live={tooLong() ? 'polite' : 'off'}
        >
          <Show when={count() >= COUNTER_FROM}>
            {count().toLocaleString()} / {MAX.toLocaleString()}
            <span class="visually-hidden"> characters</span>
          </Show>
        </span>
      </div>
      <Show when={error()}>
        {(message) => (
          <p class="composer__error" role="alert">
            {message()}
          </p>
        )}
      </Show>
    </form>
  );
}
