import { createEffect, createSignal, For, Match, Show, Switch, type JSX } from 'solid-js';
import type { MessageView } from '../../../../shared/sync/channel-doc.ts';
import { LIMITS } from '../../../../shared/rules/limits.ts';
import { charCount } from '../../../../shared/rules/text.ts';
import { relativeTime } from '../../format.ts';
import type { MessageItem, PendingItem, ReplyRef } from '../../replica/timeline.ts';
import { Avatar } from '../Avatar.tsx';
import type { Standing } from '../../replica/standing.ts';
import {
  AlertIcon,
  CheckIcon,
  ClockIcon,
  EditIcon,
  PaperclipIcon,
  PinIcon,
  RefreshIcon,
  ReplyIcon,
  ThreadIcon,
  TrashIcon,
} from '../icons.tsx';
import { ActionForm, MessageMenu, menuItems, type FormResult, type ModerationForm } from './MessageMenu.tsx';
import { EmojiPicker, QUICK_REACTIONS } from './EmojiPicker.tsx';
import { emojiDataIfLoaded } from '../../emoji/emoji-data.ts';
import { MessageText } from './MessageText.tsx';
import { insideOpenFence, messageExcerpt, threadTitleFrom } from '../../../../shared/markdown/message-markdown.ts';
import { MessageAttachments } from './Attachments.tsx';
import { LinkCard } from './LinkCard.tsx';
import { MemberName } from './MemberName.tsx';
import { uploadedFile } from '../../api/attachments.ts';

export interface MessageActions {
  me: string;
  online: () => boolean;
  /** The conversation's clock (ticks every minute), for "last reply 5 minutes ago". */
  now: () => Date;
  /** This device's clock, ticking every second (epoch ms): a held message's countdown. */
  clock: () => number;
  nameOf: (id: string | null) => string;
  handleOf: (id: string | null) => string;
  /** Quotes a message in the composer; absent where the member cannot post (the toolbar offers no Reply). */
  onReply?: (target: { id: string; authorId: string | null; snippet: string }) => void;
  onJump: (messageId: string) => void;
  onReact: (messageId: string, emoji: string, add: boolean) => void;
  onEdit: (messageId: string, body: string) => void;
  onDelete: (messageId: string) => void;
  onRetry: (intentId: string) => void;
  onEditFailed: (intentId: string) => void;
  onDiscard: (intentId: string) => void;
  /** What the member may do in this channel (the same rules the server applies). */
  standing?: Standing;
  /** Threads can start here (a room's main chat, not a thread or DM). */
  canStartThread?: boolean;
  onOpenThread?: (threadId: string) => void;
  /** A thread of this conversation was marked resolved (its room's meta doc, live). */
  threadResolved?: (threadId: string) => boolean;
  onForm?: (form: ModerationForm, message: MessageView, result: FormResult) => void;
  onRelation?: (userId: string, kind: 'blocks' | 'mutes', on: boolean) => void;
  /** Pins or unpins a message (the "More actions" item, for those the rules allow). */
  onPin?: (message: MessageView, pinned: boolean) => void;
  /** Opens (or starts) a 1:1 conversation with a member, from their name's card (absent in a widget). */
  onMessageMember?: (userId: string) => void;
  /** Writes `@handle` in the composer, from a name's card (absent where the member cannot post). */
  onMention?: (handle: string) => void;
  /** Copies a message's address in the app (absent where the conversation has no page, e.g. a widget). */
  onCopyLink?: (message: MessageView) => void;
  blocks?: (userId: string | null) => boolean;
  mutes?: (userId: string | null) => boolean;
  /** A hidden message's words, for moderators (read over REST; null while loading or when not allowed). */
  hiddenBody?: (message: MessageView) => string | null;
  /** A hidden message's files, for moderators (with its words, over REST). */
  hiddenFiles?: (message: MessageView) => MessageView['attachments'];
  /** A URL for a file's bytes (fetched with the member's token); without it files are listed by name only. */
  fileUrl?: (attachmentId: string) => Promise<string>;
  /** A message the member asked to edit from the composer (↑ in an empty composer), until its row takes it. */
  editRequest?: () => { messageId: string } | null;
  /** The row took the request: it is editing now. */
  onEditRequestTaken?: () => void;
  /** An edit started from the composer ended (saved or cancelled): the composer takes the keyboard back. */
  onEditFromComposerDone?: () => void;
}

const SUGGESTED_TITLE_CHARS = 80;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

/** Arrow keys move between a toolbar's buttons, as in any toolbar. */
function moveInToolbar(event: KeyboardEvent & { currentTarget: HTMLElement }): void {
  if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
  const buttons = Array.from(
    event.currentTarget.querySelectorAll<HTMLButtonElement>(
      ':scope > button, :scope > .emoji-picker > button, :scope > .msg-menu > button',
    ),
  );
  const index = buttons.findIndex((b) => b === document.activeElement);
  if (index < 0) return;
  event.preventDefault();
  const next = event.key === 'ArrowRight' ? index + 1 : index - 1;
  buttons[(next + buttons.length) % buttons.length]?.focus();
}

/**
 * The way into a message's thread, with its activity as every replica of the room has it: "3 replies ·
 * last reply 5 minutes ago", so a help room reads as a list of questions and which of them have answers.
 */
function ThreadChip(props: { message: MessageView; actions: MessageActions }): JSX.Element {
  const replies = () => props.message.threadReplies;
  const count = () => `${replies().toLocaleString()} ${replies() === 1 ? 'reply' : 'replies'}`;
  const last = () => {
    const at = props.message.threadLastReplyAt;
    return at ? `last reply ${relativeTime(at, props.actions.now().getTime())}` : null;
  };
  const resolved = () => props.actions.threadResolved?.(props.message.threadId!) ?? false;
  // Named by what it shows ("View thread: 2 replies · last reply just now"), so the name a screen reader
  // says and the words on screen agree.
  return (
    <button
      type="button"
      class="msg__thread"
      onClick={() => props.actions.onOpenThread?.(props.message.threadId!)}
      data-thread-id={props.message.threadId}
      data-replies={replies()}
    >
      <ThreadIcon />
      <Show when={replies() > 0} fallback="View thread">
        <span class="visually-hidden">View thread: </span>
        <span class="msg__thread-count">{count()}</span>
        <Show when={last()}>{(text) => <span class="msg__thread-last">· {text()}</span>}</Show>
      </Show>
      <Show when={resolved()}>
        <span class="badge badge--resolved">
          <CheckIcon />
          Resolved
        </span>
      </Show>
    </button>
  );
}

const emojiName = (emoji: string) =>
  QUICK_REACTIONS.find((r) => r.emoji === emoji)?.name ?? emojiDataIfLoaded()?.byEmoji.get(emoji)?.description ?? emoji;

function AuthorAvatar(props: { id: string; name: string; handle: string }): JSX.Element {
  return (
    <Avatar
      user={{ id: props.id, handle: props.handle, displayName: props.name, avatarUrl: null, isGlobalAdmin: false }}
      size={38}
    />
  );
}

function ReplyQuote(props: { reply: ReplyRef; actions: MessageActions }): JSX.Element {
  return (
    <Show
      when={props.reply.snippet !== null}
      fallback={
        // The original is further back than what is loaded: the jump pages history in to reach it.
        <button
          type="button"
          class="msg__reply msg__reply--missing"
          onClick={() => props.actions.onJump(props.reply.id)}
          aria-label="Replying to an earlier message. Show the original message"
        >
          <span class="msg__reply-line" aria-hidden="true" />
          <span class="msg__reply-text">Replying to an earlier message</span>
        </button>
      }
    >
      <button type="button" class="msg__reply" onClick={() => props.actions.onJump(props.reply.id)}>
        {/* The button's name is its visible words plus hidden context, so what a speech-input user reads
            on screen is what they can say to press it. */}
        <span class="msg__reply-line" aria-hidden="true" />
        <span class="visually-hidden">Replying to </span>
        <span class="msg__reply-author">{props.actions.nameOf(props.reply.authorId)}</span>{' '}
        <span class="msg__reply-text" classList={{ 'msg__reply-text--gone': props.reply.gone }}>
          {props.reply.snippet}
        </span>
        <span class="visually-hidden">. Show the original message</span>
      </button>
    </Show>
  );
}

function Reactions(props: { item: MessageItem; actions: MessageActions }): JSX.Element {
  const entries = () =>
    Object.entries(props.item.message.reactions).filter(([, who]) => who.length > 0) as Array<[string, string[]]>;
  return (
    <Show when={entries().length > 0}>
      <ul class="reactions" aria-label="Reactions">
        <For each={entries()}>
          {([emoji, who]) => {
            const mine = () => who.includes(props.actions.me);
            const names = () =>
              who.map((id) => (id === props.actions.me ? 'you' : props.actions.nameOf(id))).join(', ');
            return (
              <li>
                <button
                  type="button"
                  class="reaction"
                  classList={{ 'reaction--mine': mine() }}
                  aria-pressed={mine()}
                  aria-label={`${emojiName(emoji)}: ${who.length} ${who.length === 1 ? 'reaction' : 'reactions'} (${names()})`}
                  title={`Reacted: ${names()}`}
                  data-emoji={emoji}
                  onClick={() => props.actions.onReact(props.item.message.id, emoji, !mine())}
                >
                  <span class="reaction__emoji" aria-hidden="true">
                    {emoji}
                  </span>
                  <span class="reaction__count" aria-hidden="true">
                    {who.length}
                  </span>
                </button>
              </li>
            );
          }}
        </For>
      </ul>
    </Show>
  );
}

function InlineEditor(props: { initial: string; onSave: (body: string) => void; onCancel: () => void }): JSX.Element {
  const [text, setText] = createSignal(props.initial);
  const tooLong = () => charCount(text()) > LIMITS.text.messageBodyMaxChars;
  const save = () => {
    const body = text().trim();
    if (body === '' || tooLong()) return;
    if (body === props.initial.trim()) props.onCancel();
    else props.onSave(body);
  };
  return (
    <div class="msg__editor">
      <textarea
        class="msg__editor-input"
        aria-label="Edit message"
        value={text()}
        ref={(el) =>
          queueMicrotask(() => {
            el.focus();
            el.setSelectionRange(el.value.length, el.value.length);
          })
        }
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            props.onCancel();
          } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            // As in the composer: inside an open ``` block Enter is the code's next line.
            if (!e.ctrlKey && !e.metaKey && insideOpenFence(e.currentTarget.value, e.currentTarget.selectionStart))
              return;
            e.preventDefault();
            save();
          }
        }}
      />
      <p class="msg__editor-hint">
        <Show when={tooLong()} fallback={<>Enter to save · Escape to cancel</>}>
          <span class="msg__error">
            Too long: at most {LIMITS.text.messageBodyMaxChars.toLocaleString()} characters.
          </span>
        </Show>
      </p>
      <div class="msg__editor-buttons">
        <button type="button" class="button button--secondary button--small" onClick={() => props.onCancel()}>
          Cancel
        </button>
        <button type="button" class="button button--primary button--small" onClick={save} disabled={tooLong()}>
          Save
        </button>
      </div>
    </div>
  );
}

/** The small "Pinned" marker of a pinned message, in the row itself (the toolbar is built only on demand). */
function PinMark(): JSX.Element {
  return (
    <span class="msg__pinned" title="Pinned to this conversation">
      <PinIcon />
      Pinned
    </span>
  );
}

/** One confirmed message: author, time, body or its state, reply quote, reactions, and actions. */
export function MessageRow(props: { item: MessageItem; actions: MessageActions }): JSX.Element {
  const [editing, setEditing] = createSignal(false);
  const [confirmingDelete, setConfirmingDelete] = createSignal(false);
  const m = () => props.item.message;
  const at = () => new Date(m().createdAt);
  const author = () => props.actions.nameOf(m().authorId);
  const removed = () => m().deleted || props.item.saving === 'delete';
  const canChange = () => props.item.mine && !m().deleted && !m().hidden && props.item.saving !== 'delete';
  // A hidden message takes no reactions, replies or threads: moderation took it out of the conversation
  // (its More actions stay, for moderators to unhide it).
  const canReact = () => !m().deleted && !m().hidden && props.item.saving !== 'delete';
  const [form, setForm] = createSignal<ModerationForm | null>(null);
  // Threads one click away, as in Slack and Discord (the More actions menu keeps the item, with its reason
  // when the member may not).
  const canThread = () =>
    (props.actions.canStartThread ?? false) &&
    m().threadId === null &&
    !m().hidden &&
    m().type !== 'system' &&
    (props.actions.standing?.decide('create_thread', {}).allowed ?? false);
  const [expanded, setExpanded] = createSignal(false);
  // A blocked member's message folds like a muted one's, saying so (Discord's "blocked message"): a group
  // that silently lost half its lines would read as broken.
  const blocked = () => !props.item.mine && (props.actions.blocks?.(m().authorId) ?? false);
  const muted = () => !props.item.mine && (blocked() || (props.actions.mutes?.(m().authorId) ?? false)) && !expanded();
  const staffBody = () => (m().hidden && props.actions.standing?.staff() ? props.actions.hiddenBody?.(m()) : null);
  const items = () =>
    props.actions.standing
      ? menuItems({
          message: m(),
          mine: props.item.mine,
          standing: props.actions.standing,
          canStartThread: props.actions.canStartThread ?? false,
          blocked: props.actions.blocks?.(m().authorId) ?? false,
          muted: props.actions.mutes?.(m().authorId) ?? false,
          onRelation: (kind, on) => m().authorId && props.actions.onRelation?.(m().authorId!, kind, on),
          onPin: props.actions.onPin ? (pinned) => props.actions.onPin?.(m(), pinned) : undefined,
          onCopyLink: props.actions.onCopyLink ? () => props.actions.onCopyLink?.(m()) : undefined,
        })
      : [];
  createEffect(() => {
    if (removed()) setForm(null);
  });
  // ↑ in the empty composer edits the member's last message; the caret goes back there when done.
  let editFromComposer = false;
  createEffect(() => {
    const request = props.actions.editRequest?.();
    if (!request || request.messageId !== m().id) return;
    props.actions.onEditRequestTaken?.();
    if (!canChange()) return;
    editFromComposer = true;
    setEditing(true);
  });
  const endEdit = () => {
    setEditing(false);
    if (editFromComposer) props.actions.onEditFromComposerDone?.();
    editFromComposer = false;
  };
  // The toolbar (reaction picker, reply, edit, delete, more actions) is built the first time the row is
  // pointed at or focused (a tap focuses it too): it shows only then, and a room's first screen of rows
  // — and every row scrolled past — does not pay for buttons, menus and permission checks nobody opened.
  const [engaged, setEngaged] = createSignal(false);
  const engage = () => setEngaged(true);
  // A finger's tap must not land on the buttons its own touch made appear (the toolbar sits over the
  // message's first line): on touch, the toolbar comes once the tap is over.
  let tapping = false;
  const onPointerDown = (event: PointerEvent) => {
    tapping = event.pointerType === 'touch';
  };
  const onPointerOver = (event: PointerEvent) => {
    if (event.pointerType !== 'touch') engage();
  };
  const onFocusIn = () => {
    if (!tapping) engage();
  };
  const onClick = () => {
    if (!tapping) return;
    tapping = false;
    engage();
  };
  const pinned = () => m().pinned && !removed() && !m().hidden;

  return (
    <article
      class="msg"
      classList={{
        'msg--grouped': props.item.grouped,
        'msg--mine': props.item.mine,
        'msg--saving': props.item.saving !== null,
        'msg--removed': removed() || m().hidden,
        'msg--hidden-staff': staffBody() !== null && staffBody() !== undefined,
        'msg--mentions-me': m().mentions.includes(props.actions.me) && !removed() && !m().hidden && !muted(),
      }}
      data-hidden={m().hidden ? 'true' : undefined}
      id={`msg-${m().id}`}
      data-seq={m().seq}
      data-message-id={m().id}
      tabIndex={-1}
      aria-label={`${author()}, ${timeFormat.format(at())}${pinned() ? ', pinned' : ''}`}
      data-pinned={pinned() ? 'true' : undefined}
      onPointerDown={onPointerDown}
      onPointerCancel={() => (tapping = false)}
      onPointerOver={onPointerOver}
      onFocusIn={onFocusIn}
      onClick={onClick}
    >
      <Show when={props.item.replyTo}>{(reply) => <ReplyQuote reply={reply()} actions={props.actions} />}</Show>
      <div class="msg__gutter">
        <Show
          when={!props.item.grouped}
          fallback={
            <time class="msg__hover-time" dateTime={m().createdAt} title={fullFormat.format(at())}>
              {timeFormat.format(at())}
            </time>
          }
        >
          <AuthorAvatar id={m().authorId ?? 'unknown'} name={author()} handle={props.actions.handleOf(m().authorId)} />
        </Show>
      </div>
      <div class="msg__main">
        <Show when={!props.item.grouped}>
          <header class="msg__meta">
            <MemberName
              id={m().authorId}
              name={author()}
              handle={props.actions.handleOf(m().authorId)}
              me={props.actions.me}
              onMessage={props.actions.onMessageMember}
              onMention={props.actions.onMention}
            />
            <time class="msg__time" dateTime={m().createdAt} title={fullFormat.format(at())}>
              {timeFormat.format(at())}
            </time>
            <Show when={pinned()}>
              <PinMark />
            </Show>
          </header>
        </Show>
        <Show when={props.item.grouped && pinned()}>
          <PinMark />
        </Show>
        <Switch>
          <Match when={removed()}>
            <p class="msg__body msg__body--state">
              {props.item.saving === 'delete' && !m().deleted ? 'Deleting…' : 'Message deleted'}
            </p>
          </Match>
          <Match when={m().hidden && staffBody() !== undefined && staffBody() !== null}>
            <div class="msg__body msg__body--hidden">
              <MessageText body={staffBody() ?? ''} />
            </div>
            <Show when={props.actions.fileUrl && (props.actions.hiddenFiles?.(m()) ?? []).length > 0}>
              <MessageAttachments files={props.actions.hiddenFiles?.(m()) ?? []} fileUrl={props.actions.fileUrl!} />
            </Show>
            <p class="msg__hidden-note">
              Hidden from members{m().hiddenReason ? `: ${m().hiddenReason}` : ''} · only moderators see this
            </p>
          </Match>
          <Match when={m().hidden}>
            <p class="msg__body msg__body--state">
              Hidden by moderation{m().hiddenReason ? `: ${m().hiddenReason}` : ''}
            </p>
          </Match>
          <Match when={muted()}>
            <p class="msg__body msg__body--state">
              {blocked() ? 'Message from a member you blocked.' : 'Message from a member you muted.'}{' '}
              <button type="button" class="link-button" onClick={() => setExpanded(true)}>
                Show it
              </button>
            </p>
          </Match>
          <Match when={editing()}>
            <InlineEditor
              initial={m().body}
              onCancel={endEdit}
              onSave={(body) => {
                props.actions.onEdit(m().id, body);
                endEdit();
              }}
            />
          </Match>
          <Match when={true}>
            <Show when={m().body !== '' || m().edited}>
              <div class="msg__body">
                <MessageText body={m().body} mentions={m().mentions} />
                <Show when={m().edited}>
                  <span
                    class="msg__edited"
                    title={m().editedAt ? `Edited ${fullFormat.format(new Date(m().editedAt!))}` : 'Edited'}
                  >
                    {props.item.saving === 'edit' ? ' (saving…)' : ' (edited)'}
                  </span>
                </Show>
              </div>
            </Show>
          </Match>
        </Switch>
        <Show when={!removed() && !muted() && m().attachments.length > 0 && props.actions.fileUrl}>
          {(fileUrl) => <MessageAttachments files={m().attachments} fileUrl={fileUrl()} />}
        </Show>
        <Show when={!removed() && !muted() && !editing() ? m().linkPreview : null}>
          {(card) => <LinkCard preview={card()} />}
        </Show>
        <Show when={confirmingDelete()}>
          <div class="msg__confirm" role="group" aria-label="Confirm delete">
            <span>Delete this message for everyone?</span>
            <button
              type="button"
              class="button button--danger button--small"
              onClick={() => {
                setConfirmingDelete(false);
                props.actions.onDelete(m().id);
              }}
            >
              Delete
            </button>
            <button
              type="button"
              class="button button--secondary button--small"
              onClick={() => setConfirmingDelete(false)}
            >
              Cancel
            </button>
          </div>
        </Show>
        <Show when={m().threadId && props.actions.onOpenThread}>
          <ThreadChip message={m()} actions={props.actions} />
        </Show>
        <Show when={form()}>
          {(current) => (
            <ActionForm
              form={current()}
              hidden={m().hidden}
              // A thread's suggested title: the message's first line, as a help room would title it.
              snippet={m().hidden ? '' : threadTitleFrom(m().body, SUGGESTED_TITLE_CHARS)}
              onCancel={() => setForm(null)}
              onSubmit={(result) => {
                props.actions.onForm?.(current(), m(), result);
                setForm(null);
              }}
            />
          )}
        </Show>
        <Reactions item={props.item} actions={props.actions} />
      </div>
      <Show when={engaged() && !editing() && !removed()}>
        <div
          class="msg__actions"
          role="toolbar"
          aria-label={`Actions for ${author()}'s message`}
          onKeyDown={moveInToolbar}
        >
          <Show when={canReact()}>
            <EmojiPicker onPick={(emoji) => props.actions.onReact(m().id, emoji, true)} />
          </Show>
          <Show when={!m().hidden && props.actions.onReply}>
            {(reply) => (
              <button
                type="button"
                class="icon-button"
                aria-label="Reply"
                title="Reply"
                onClick={() => reply()({ id: m().id, authorId: m().authorId, snippet: messageExcerpt(m().body, 140) })}
              >
                <ReplyIcon />
              </button>
            )}
          </Show>
          <Show when={canThread()}>
            <button
              type="button"
              class="icon-button"
              aria-label="Start a thread"
              title="Start a thread"
              onClick={() => setForm('thread')}
            >
              <ThreadIcon />
            </button>
          </Show>
          <Show when={canChange()}>
            <button
              type="button"
              class="icon-button"
              aria-label="Edit message"
              title="Edit"
              onClick={() => setEditing(true)}
            >
              <EditIcon />
            </button>
            <button
              type="button"
              class="icon-button icon-button--danger"
              aria-label="Delete message"
              title="Delete"
              onClick={() => setConfirmingDelete(true)}
            >
              <TrashIcon />
            </button>
          </Show>
          <MessageMenu items={items()} onForm={setForm} />
        </div>
      </Show>
    </article>
  );
}

/** A send of the member's that the server has not confirmed, or has refused (with its reason). */
export function PendingRow(props: { item: PendingItem; actions: MessageActions }): JSX.Element {
  const at = () => new Date(props.item.intent.createdAt);
  const me = () => props.actions.nameOf(props.actions.me);
  const failed = () => props.item.status === 'failed';
  /** The names of the files the send carries, where this tab uploaded them ("1 file" elsewhere). */
  const pendingFiles = () => {
    if (props.item.deferredFiles) return props.item.deferredFiles;
    const ids = props.item.intent.attachmentIds ?? [];
    const names = ids.map((id) => uploadedFile(id)?.name);
    return names.every((n) => n !== undefined) ? names : [`${ids.length} ${ids.length === 1 ? 'file' : 'files'}`];
  };
  // A run of held messages shares one line: the first of them goes when the limit allows, the rest after it.
  const heldLine = (retryAt: number) => {
    const seconds = Math.ceil((retryAt - props.actions.clock()) / 1000);
    const when =
      seconds <= 0 ? 'any moment now' : seconds <= 90 ? `in ${seconds} s` : `in ${Math.ceil(seconds / 60)} min`;
    const count = props.item.runLength;
    if (!props.actions.online())
      return count > 1
        ? `These ${count} go out by themselves once you are back online.`
        : 'It goes out by itself once you are back online.';
    return count > 1
      ? `These ${count} go out by themselves as the limit allows, the first ${when}.`
      : `It goes out by itself ${when}.`;
  };
  return (
    <article
      class="msg msg--mine"
      classList={{ 'msg--grouped': props.item.grouped, 'msg--pending': !failed(), 'msg--failed': failed() }}
      id={`pending-${props.item.intentId}`}
      data-intent-id={props.item.intentId}
      data-status={props.item.status}
      tabIndex={-1}
      aria-label={`${me()}, ${failed() ? 'not sent' : 'sending'}`}
    >
      <Show when={props.item.replyTo}>{(reply) => <ReplyQuote reply={reply()} actions={props.actions} />}</Show>
      <div class="msg__gutter">
        <Show when={!props.item.grouped}>
          <AuthorAvatar id={props.actions.me} name={me()} handle={props.actions.handleOf(props.actions.me)} />
        </Show>
      </div>
      <div class="msg__main">
        <Show when={!props.item.grouped}>
          <header class="msg__meta">
            <span class="msg__author">{me()}</span>
            <time class="msg__time" dateTime={at().toISOString()}>
              {timeFormat.format(at())}
            </time>
          </header>
        </Show>
        <div class="msg__body">
          {/* Before the words, floated to the line's end: after them it fell onto a line of its own. */}
          <Show when={!failed() && !props.item.lastOfRun}>
            <span class="msg__pending-mark" title="Waiting to send">
              <ClockIcon />
            </span>
          </Show>
          <MessageText body={props.item.intent.body} />
          <Show when={pendingFiles().length > 0}>
            <span class="msg__pending-files">
              {' '}
              <PaperclipIcon /> {pendingFiles().join(', ')}
            </span>
          </Show>
        </div>
        <Show
          when={failed()}
          fallback={
            <Show when={props.item.lastOfRun}>
              <Show
                when={props.item.waiting}
                fallback={
                  <p class="msg__status">
                    <ClockIcon />
                    {props.item.deferredFiles
                      ? props.actions.online()
                        ? 'Uploading files…'
                        : 'Waiting for connection · the files upload, then it sends'
                      : props.actions.online()
                        ? 'Sending…'
                        : 'Waiting for connection · will send automatically'}
                  </p>
                }
              >
                {(waiting) => (
                  <div class="msg__waiting" role="group" aria-label="Message held back">
                    <p class="msg__status">
                      <ClockIcon />
                      <span>
                        {waiting().reason} {heldLine(waiting().retryAt)}
                      </span>
                    </p>
                    <button
                      type="button"
                      class="button button--ghost button--small"
                      onClick={() => props.actions.onDiscard(props.item.intentId)}
                    >
                      <TrashIcon />
                      {props.item.runLength > 1 ? "Don't send the last" : "Don't send"}
                    </button>
                  </div>
                )}
              </Show>
            </Show>
          }
        >
          <div class="msg__failure" role="group" aria-label="Message not sent">
            <p class="msg__status msg__status--failed">
              <AlertIcon />
              <span>Not sent: {props.item.reason}</span>
            </p>
            <div class="msg__failure-buttons">
              <Show when={props.item.retryable}>
                <button
                  type="button"
                  class="button button--secondary button--small"
                  onClick={() => props.actions.onRetry(props.item.intentId)}
                >
                  <RefreshIcon />
                  Retry
                </button>
              </Show>
              <button
                type="button"
                class="button button--ghost button--small"
                onClick={() => props.actions.onEditFailed(props.item.intentId)}
              >
                <EditIcon />
                Edit
              </button>
              <button
                type="button"
                class="button button--ghost button--small"
                onClick={() => props.actions.onDiscard(props.item.intentId)}
              >
                <TrashIcon />
                Discard
              </button>
            </div>
          </div>
        </Show>
      </div>
    </article>
  );
}
