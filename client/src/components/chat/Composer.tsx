import { createEffect, createMemo, createSignal, For, on, onCleanup, Show, untrack, type JSX } from 'solid-js';
import { insideOpenFence } from '../../../../shared/markdown/message-markdown.ts';
import {
  insertMention,
  mentionQueryAt,
  type MentionCandidate,
  type MentionQuery,
} from '../../../../shared/mentions/mentions.ts';
import { LIMITS } from '../../../../shared/rules/limits.ts';
import { charCount } from '../../../../shared/rules/text.ts';
import type { AttachmentView } from '../../../../shared/sync/channel-doc.ts';
import { formatBytes } from '../../api/attachments.ts';
import { CloseIcon, FileIcon, PaperclipIcon, RefreshIcon, SendIcon } from '../icons.tsx';
import { createComposerFiles, type ComposerFile } from './composer-files.ts';
import type { DeferredFile } from '../../replica/deferred-sends.ts';
import type { MentionSource } from './mention-source.ts';
import { emojiDataIfLoaded, loadEmoji, type EmojiData } from '../../emoji/emoji-data.ts';
import {
  completedShortcode,
  emojiQueryAt,
  insertEmoji,
  searchEmoji,
  type EmojiEntry,
  type EmojiQuery,
} from '../../emoji/emoji-search.ts';

/** What the list under the composer offers: a member to mention, or an emoji for the `:name` typed. */
type Suggestion = { kind: 'member'; member: MentionCandidate } | { kind: 'emoji'; entry: EmojiEntry };

const EMOJI_SUGGESTIONS = 8;

export interface ReplyTarget {
  id: string;
  authorName: string;
  snippet: string;
}

export interface ComposerHandle {
  /** Adds files to the message being written (a deferred send taken back to edit). */
  addFiles: (files: File[]) => void;
  /** Puts text in the composer (editing a refused send) and focuses it. */
  fill: (text: string) => void;
  /** Puts back the files of a refused send (already uploaded). */
  restoreFiles: (files: readonly AttachmentView[]) => void;
  focus: () => void;
  /** Writes `@handle ` where the caret is (with a space before it when needed) and focuses the composer. */
  mention: (handle: string) => void;
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
 *
 * Typing `@` and the start of a handle or name opens a list of members to mention (an ARIA combobox:
 * the textarea keeps focus, the list is its listbox). Arrow keys choose, Enter or Tab inserts
 * `@handle `, Escape closes the list until the next keystroke; a click or tap inserts too. While the
 * list is open, Enter inserts instead of sending.
 */
export function Composer(props: {
  channelId: string;
  roomName: string;
  /** What the empty field says (default "Message <room>"; a thread's long title would fill three lines). */
  placeholder?: string;
  /** The saved draft (read when the channel changes, and when another device changes it). */
  draft: () => string;
  onRemoteDraft: (fn: (channelId: string, text: string) => void) => () => void;
  saveDraft: (channelId: string, text: string) => void;
  onSend: (body: string, replyToId: string | null, attachments: AttachmentView[]) => void;
  /**
   * A message whose files could not be uploaded yet (offline): kept on the device and sent once they
   * are. Without it, Send waits for the uploads.
   */
  onSendLater?: (body: string, replyToId: string | null, files: DeferredFile[]) => void;
  /** ↑ in the empty composer: opens the member's last message for editing; false when there is none. */
  onEditLast?: () => boolean;
  onTyping: (active: boolean) => void;
  replyTo: ReplyTarget | null;
  onCancelReply: () => void;
  ref?: (handle: ComposerHandle) => void;
  /** Who may be suggested after an `@`; without it the composer suggests nobody. */
  mentions?: MentionSource;
  /**
   * Files on messages: how to upload one, and why the member may not attach here (null: they may).
   * Without it the composer offers no files.
   */
  files?: {
    upload: (file: File, signal: AbortSignal) => Promise<AttachmentView>;
    refusal: () => string | null;
  };
  /** A help room's main chat: each new message is a question, titled by its words, so files need words. */
  asksQuestions?: boolean;
}): JSX.Element {
  const [text, setText] = createSignal('');
  // The caret is nearly always at the end while writing; the hint follows the text's end.
  const inCodeBlock = createMemo(() => insideOpenFence(text(), text().length));
  /** Ids unique per composer: a room and its open thread each have one on screen. */
  const uid = Math.random().toString(36).slice(2, 8);
  const [error, setError] = createSignal<string | null>(null);
  let input: HTMLTextAreaElement | undefined;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let dirty = false;
  /** The channel on screen, readable without tracking (cleanup must not touch reactive props). */
  let currentChannel = '';

  // ---- suggestions: members after `@`, emoji after `:` ----
  const [mention, setMention] = createSignal<MentionQuery | null>(null);
  const [emojiAt, setEmojiAt] = createSignal<EmojiQuery | null>(null);
  const [emoji, setEmoji] = createSignal<EmojiData | undefined>(emojiDataIfLoaded());
  const [closed, setClosed] = createSignal(false);
  const [activeIndex, setActive] = createSignal(0);
  /** The highlighted suggestion (the list may have shrunk under it). */
  const active = () => Math.max(0, Math.min(activeIndex(), suggestions().length - 1));
  const suggestions = createMemo<Suggestion[]>(() => {
    if (closed()) return [];
    const at = mention();
    if (at && props.mentions) return props.mentions.suggest(at.query).map((member) => ({ kind: 'member', member }));
    const colon = emojiAt();
    const data = emoji();
    if (colon && data)
      return searchEmoji(data.entries, colon.query, EMOJI_SUGGESTIONS).map((entry) => ({ kind: 'emoji', entry }));
    return [];
  });
  const listOpen = () => suggestions().length > 0;
  const listKind = () => suggestions()[0]?.kind ?? 'member';
  const listId = `composer-mentions-${uid}`;
  const optionId = (index: number) => `composer-mention-${uid}-${index}`;
  createEffect(
    on(
      () => mention()?.query ?? emojiAt()?.query,
      () => setActive(0),
    ),
  );
  const clearSuggestions = () => {
    setMention(null);
    setEmojiAt(null);
  };
  /** Reads the `@query` or `:query` at the caret (none while text is selected). */
  const readMention = () => {
    if (!input || input.selectionStart !== input.selectionEnd) {
      clearSuggestions();
      return;
    }
    // In a code block `@decorator` and `:name` are code, and the server notifies nobody for it either.
    const inCode = insideOpenFence(input.value, input.selectionStart);
    const at = inCode ? null : mentionQueryAt(input.value, input.selectionStart);
    const previous = untrack(mention);
    if (at?.start !== previous?.start || at?.end !== previous?.end || at?.query !== previous?.query) setMention(at);
    if (at) props.mentions?.prepare();
    const colon = inCode || at ? null : emojiQueryAt(input.value, input.selectionStart);
    const before = untrack(emojiAt);
    if (colon?.start !== before?.start || colon?.end !== before?.end || colon?.query !== before?.query)
      setEmojiAt(colon);
    if (colon && !untrack(emoji)) void loadEmoji().then(setEmoji);
  };
  /** A known `:name:` just closed before the caret becomes its emoji (loading the list the first time). */
  const convertShortcode = () => {
    if (!input || input.selectionStart !== input.selectionEnd || input.value[input.selectionStart - 1] !== ':') return;
    if (insideOpenFence(input.value, input.selectionStart)) return;
    const data = untrack(emoji);
    if (!data) return;
    const next = completedShortcode(input.value, input.selectionStart, data.byName);
    if (!next) return;
    setText(next.text);
    input.value = next.text;
    input.setSelectionRange(next.caret, next.caret);
  };
  const choose = (suggestion: Suggestion) => {
    if (suggestion.kind === 'member') chooseMention(suggestion.member);
    else chooseEmoji(suggestion.entry);
  };
  const chooseEmoji = (entry: EmojiEntry) => {
    const at = emojiAt();
    if (!at || !input) return;
    applyCompletion(insertEmoji(text(), at, entry.emoji));
  };
  const chooseMention = (member: MentionCandidate) => {
    const at = mention();
    if (!at || !input) return;
    applyCompletion(insertMention(text(), at, member.handle));
  };
  const applyCompletion = (next: { text: string; caret: number }) => {
    if (!input) return;
    setText(next.text);
    input.value = next.text;
    input.setSelectionRange(next.caret, next.caret);
    clearSuggestions();
    setError(null);
    dirty = true;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => flushDraft(currentChannel), DRAFT_SAVE_MS);
    props.onTyping(true);
    autosize();
    input.focus();
  };

  // ---- files ----
  const attached = props.files
    ? createComposerFiles({ upload: props.files.upload, online: () => navigator.onLine })
    : undefined;
  let filePicker: HTMLInputElement | undefined;
  const fileCount = () => attached?.files().length ?? 0;
  const filesReady = () => attached?.ready() ?? true;
  const uploading = () => attached?.files().filter((f) => f.state !== 'ready').length ?? 0;
  const addFiles = (picked: readonly File[]) => {
    if (!attached || picked.length === 0) return;
    const refusal = props.files?.refusal();
    if (refusal) {
      setError(refusal);
      return;
    }
    setError(attached.add(picked));
    input?.focus();
  };

  const count = () => charCount(text());
  const tooLong = () => count() > MAX;
  /** Files alone cannot make a help room's question (it is titled by its words); a reply can be files alone. */
  const needsWords = () => props.asksQuestions === true && props.replyTo === null;
  /** Files still uploading hold the message back a moment; files waiting for a connection do not (onSendLater). */
  const uploadingNow = () => attached?.files().some((f) => f.state === 'uploading' || f.state === 'failed') ?? false;
  const canDefer = () => props.onSendLater !== undefined && !uploadingNow();
  const canSend = () =>
    (text().trim() !== '' || (fileCount() > 0 && !needsWords())) && !tooLong() && (filesReady() || canDefer());

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
        attached?.switchTo(channelId);
        clearSuggestions();
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
    if (body === '' && fileCount() === 0) return;
    if (body === '' && needsWords()) {
      setError('A question needs some words: say what you need help with, then attach the files.');
      return;
    }
    if (tooLong()) {
      setError(`Messages can be at most ${MAX.toLocaleString()} characters.`);
      return;
    }
    if (!filesReady()) {
      if (!canDefer()) {
        setError(
          attached?.files().some((f) => f.state === 'failed')
            ? 'A file could not be uploaded: remove it or try it again.'
            : 'Wait a moment: the files are still uploading.',
        );
        return;
      }
      // Offline: the message waits on this device with its files and goes once they are uploaded.
      props.onSendLater?.(body, props.replyTo?.id ?? null, attached?.takeForLater() ?? []);
    } else props.onSend(body, props.replyTo?.id ?? null, attached?.take() ?? []);
    clearSuggestions();
    setText('');
    setError(null);
    dirty = true;
    flushDraft(currentChannel);
    props.onTyping(false);
    queueMicrotask(autosize);
  };

  /** Puts `value` in the field as if typed (draft saved, height fitted), focused with the caret at `caret`. */
  const replaceText = (value: string, caret: number) => {
    clearSuggestions();
    setText(value);
    dirty = true;
    flushDraft(currentChannel);
    queueMicrotask(() => {
      autosize();
      input?.focus();
      input?.setSelectionRange(caret, caret);
    });
  };
  props.ref?.({
    fill: (value) => replaceText(value, value.length),
    focus: () => input?.focus(),
    mention: (handle) => {
      const current = text();
      const at = input?.selectionStart ?? current.length;
      const before = current.slice(0, at);
      const insert = `${before === '' || /\s$/.test(before) ? '' : ' '}@${handle} `;
      replaceText(before + insert + current.slice(at), before.length + insert.length);
    },
    restoreFiles: (files) => attached?.restore(files),
    addFiles: (files) => void (files.length > 0 && attached?.add(files)),
  });

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
      onDragOver={(event) => {
        if (attached && event.dataTransfer?.types.includes('Files')) event.preventDefault();
      }}
      onDrop={(event) => {
        if (!attached || !event.dataTransfer?.files.length) return;
        event.preventDefault();
        addFiles([...event.dataTransfer.files]);
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
      <Show when={attached && fileCount() > 0}>
        <ul class="composer__files" aria-label="Files to send">
          <For each={attached?.files()}>
            {(file) => (
              <FileChip
                file={file}
                onRemove={() => attached?.remove(file.key)}
                onRetry={() => attached?.retry(file.key)}
              />
            )}
          </For>
        </ul>
      </Show>
      <div class="composer__box" classList={{ 'composer__box--invalid': tooLong() }}>
        <Show when={attached}>
          <button
            type="button"
            class="composer__attach"
            aria-label="Attach files"
            title="Attach images or files"
            onClick={() => {
              const refusal = props.files?.refusal();
              if (refusal) setError(refusal);
              else filePicker?.click();
            }}
          >
            <PaperclipIcon />
          </button>
          <input
            ref={(el) => (filePicker = el)}
            type="file"
            multiple
            class="visually-hidden"
            tabIndex={-1}
            aria-hidden="true"
            accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,text/*,.log,.md,.py,.js,.ts,.tsx,.json,.csv,.yaml,.yml,.sql"
            onChange={(event) => {
              addFiles([...(event.currentTarget.files ?? [])]);
              event.currentTarget.value = '';
            }}
          />
        </Show>
        <label class="visually-hidden" for={`composer-input-${uid}`}>
          Message {props.roomName}
        </label>
        <textarea
          ref={(el) => (input = el)}
          id={`composer-input-${uid}`}
          class="composer__input"
          rows={1}
          placeholder={props.placeholder ?? `Message ${props.roomName}`}
          role="combobox"
          aria-autocomplete="list"
          aria-haspopup="listbox"
          aria-expanded={listOpen() ? 'true' : 'false'}
          aria-controls={listId}
          aria-activedescendant={listOpen() ? optionId(active()) : undefined}
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
            setClosed(false);
            convertShortcode();
            readMention();
          }}
          onClick={readMention}
          onPaste={(event) => {
            const pasted = [...(event.clipboardData?.files ?? [])];
            if (!attached || pasted.length === 0) return;
            // A screenshot pasted from the clipboard becomes a file of the message, not text.
            event.preventDefault();
            addFiles(pasted);
          }}
          onKeyUp={(event) => {
            if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) readMention();
          }}
          onBlur={() => {
            clearSuggestions();
            // Removing a focused field fires blur while Solid disposes the view: act after that.
            queueMicrotask(() => {
              if (disposed) return;
              flushDraft(currentChannel);
              props.onTyping(false);
            });
          }}
          onKeyDown={(event) => {
            if (listOpen() && !event.isComposing) {
              const n = suggestions().length;
              if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
                event.preventDefault();
                setActive((active() + (event.key === 'ArrowDown' ? 1 : n - 1)) % n);
                document.getElementById(optionId(active()))?.scrollIntoView({ block: 'nearest' });
                return;
              }
              if ((event.key === 'Enter' && !event.shiftKey) || (event.key === 'Tab' && !event.shiftKey)) {
                event.preventDefault();
                const chosen = suggestions()[active()];
                if (chosen) choose(chosen);
                return;
              }
              if (event.key === 'Escape') {
                event.preventDefault();
                event.stopPropagation();
                setClosed(true);
                return;
              }
            }
            if (
              event.key === 'ArrowUp' &&
              !event.shiftKey &&
              !event.altKey &&
              !event.ctrlKey &&
              !event.metaKey &&
              event.currentTarget.value === '' &&
              props.onEditLast?.()
            ) {
              // Slack's and Discord's ↑: the member's last message opens for editing.
              event.preventDefault();
              return;
            }
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              const area = event.currentTarget;
              // Inside an open ``` block Enter is the code's next line; Ctrl/Cmd+Enter sends anyway.
              if (!event.ctrlKey && !event.metaKey && insideOpenFence(area.value, area.selectionStart)) return;
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
      <ul
        class="composer__mentions"
        id={listId}
        role="listbox"
        aria-label={listKind() === 'emoji' ? 'Emoji' : 'Members to mention'}
        hidden={!listOpen()}
      >
        <For each={suggestions()}>
          {(suggestion, index) => (
            <li
              class="composer__mention"
              classList={{ 'composer__mention--active': index() === active() }}
              id={optionId(index())}
              role="option"
              aria-selected={index() === active() ? 'true' : 'false'}
              // Keeps focus (and the caret) in the textarea.
              onMouseDown={(event) => event.preventDefault()}
              onMouseMove={() => setActive(index())}
              onClick={() => choose(suggestion)}
            >
              <Show
                when={suggestion.kind === 'emoji' ? suggestion.entry : undefined}
                fallback={
                  <Show when={suggestion.kind === 'member' ? suggestion.member : undefined}>
                    {(member) => (
                      <>
                        <span class="composer__mention-name">{member().name}</span>
                        <span class="composer__mention-handle">@{member().handle}</span>
                      </>
                    )}
                  </Show>
                }
              >
                {(entry) => (
                  <>
                    <span class="composer__emoji" aria-hidden="true">
                      {entry().emoji}
                    </span>
                    <span class="composer__mention-name">:{entry().names[0]}:</span>
                  </>
                )}
              </Show>
            </li>
          )}
        </For>
      </ul>
      <div class="composer__footer">
        <span class="composer__hint" id={`composer-hint-${uid}`}>
          <Show
            when={listOpen()}
            fallback={
              <Show
                when={uploading() === 0}
                fallback={
                  <>
                    {navigator.onLine ? 'Uploading' : 'Waiting for connection to upload'} {uploading()}{' '}
                    {uploading() === 1 ? 'file' : 'files'}…
                  </>
                }
              >
                <Show
                  when={inCodeBlock()}
                  fallback={
                    <>
                      <kbd>Enter</kbd> to send · <kbd>Shift</kbd> + <kbd>Enter</kbd> for a new line ·{' '}
                      <span class="composer__md">**bold** _italic_ `code` ```block```</span>
                    </>
                  }
                >
                  In a code block: <kbd>Enter</kbd> for a new line · <kbd>Ctrl</kbd> + <kbd>Enter</kbd> to send
                </Show>
              </Show>
            }
          >
            <kbd>↑</kbd> <kbd>↓</kbd> to choose · <kbd>Enter</kbd> or <kbd>Tab</kbd> to{' '}
            {listKind() === 'emoji' ? 'insert' : 'mention'} · <kbd>Esc</kbd> to close
          </Show>
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

/** A picked file in the composer: its thumbnail or icon, name and size, and how its upload goes. */
function FileChip(props: { file: ComposerFile; onRemove: () => void; onRetry: () => void }): JSX.Element {
  const status = () =>
    props.file.state === 'ready'
      ? formatBytes(props.file.size)
      : props.file.state === 'uploading'
        ? 'Uploading…'
        : props.file.state === 'waiting'
          ? 'Waiting for connection'
          : `Not uploaded: ${props.file.error ?? 'unknown error'}`;
  return (
    <li
      class="composer__file"
      classList={{ 'composer__file--failed': props.file.state === 'failed' }}
      data-state={props.file.state}
    >
      <Show when={props.file.previewUrl} fallback={<FileIcon />}>
        {(src) => <img class="composer__file-thumb" src={src()} alt="" width="36" height="36" />}
      </Show>
      <span class="composer__file-text">
        <span class="composer__file-name">{props.file.name}</span>
        <span class="composer__file-status" role={props.file.state === 'failed' ? 'alert' : undefined}>
          {status()}
        </span>
      </span>
      <Show when={props.file.state === 'failed'}>
        <button
          type="button"
          class="icon-button"
          aria-label={`Retry uploading ${props.file.name}`}
          onClick={() => props.onRetry()}
        >
          <RefreshIcon />
        </button>
      </Show>
      <button
        type="button"
        class="icon-button"
        aria-label={`Remove ${props.file.name}`}
        onClick={() => props.onRemove()}
      >
        <CloseIcon />
      </button>
    </li>
  );
}
