import {
  createEffect,
  createMemo,
  createSignal,
  For,
  Match,
  on,
  onCleanup,
  Show,
  Switch,
  untrack,
  type JSX,
} from 'solid-js';
import type { MessageView } from '../../../../shared/sync/channel-doc.ts';
import { PASSING_REFUSALS } from '../../../../shared/sync/intents.ts';
import { attachmentUrl, uploadAttachment, uploadedFile } from '../../api/attachments.ts';
import { fetchAround, fromHistory, setRelation } from '../../api/community.ts';
import { isApiError } from '../../api/http.ts';
import type { Room, User } from '../../api/types.ts';
import { createMinuteClock } from '../../lib/minute-clock.ts';
import { useReplica } from '../../replica/context.ts';
import { navigate, paths } from '../../router.ts';
import type { RoomSession } from '../../replica/room-session.ts';
import type { Standing } from '../../replica/standing.ts';
import { buildTimeline, createItemCache, type TimelineItem } from '../../replica/timeline.ts';
import { ArrowDownIcon, CloseIcon, RefreshIcon } from '../icons.tsx';
import { Composer, type ComposerHandle, type ReplyTarget } from './Composer.tsx';
import { createMentionSource } from './mention-source.ts';
import { MessageRow, PendingRow, type MessageActions } from './MessageRow.tsx';
import { attachmentsHeight } from './attachment-layout.ts';
import { TypingIndicator } from './Presence.tsx';
import { VirtualLog, type VirtualLogHandle } from './VirtualLog.tsx';

const MARK_READ_DEBOUNCE_MS = 1200;

/** First guesses of row heights (px) until rows are measured; close guesses mean less correction. */
function estimateHeight(item: TimelineItem): number {
  if (item.kind === 'day') return 46;
  if (item.kind === 'unread') return 28;
  const base = item.grouped ? 26 : 62;
  const reply = item.replyTo ? 26 : 0;
  const reactions = item.kind === 'message' && Object.keys(item.message.reactions).length > 0 ? 34 : 0;
  const files = item.kind === 'message' ? attachmentsHeight(item.message.attachments) : 0;
  // A grouped message has no name row: its "Pinned" marker takes a line of its own.
  const pinMark = item.kind === 'message' && item.grouped && item.message.pinned ? 22 : 0;
  return base + reply + reactions + files + pinMark + (item.kind === 'pending' && item.status === 'failed' ? 60 : 0);
}

/** Pending rows of messages whose files wait to upload carry this prefix (replica/deferred-sends.ts). */
const isDeferred = (intentId: string) => intentId.startsWith('deferred:');
const deferredId = (intentId: string) => intentId.slice('deferred:'.length);

const FAILED_WHAT: Record<string, string> = {
  edit: 'Your edit',
  delete: 'Deleting your message',
  react: 'Your reaction',
  unreact: 'Removing your reaction',
  pin: 'Pinning',
  hide: 'Hiding',
  report: 'Your report',
  moderate_member: 'That moderation action',
};

export interface ConversationProps {
  /** The open channel (a room's main chat, a thread or a DM), shared with the view around it. */
  session: () => RoomSession;
  /** Names the log ("Messages in …") and the composer ("Message …"). */
  name: string;
  token: string;
  user: User;
  /** The room this channel belongs to (itself, or a thread's room); null for DMs. */
  room: Room | null;
  standing: Standing;
  /** Threads can start from messages here (a room's main chat). */
  canStartThread: boolean;
  /** Shown at the start of the conversation. */
  intro: JSX.Element;
  /** What the empty composer says (default "Message <name>"). */
  composerPlaceholder?: string;
  /** Why the member cannot post here (a locked thread): the composer gives way to this sentence. */
  postRefusal?: string | null;
  onOpenThread?: (threadId: string) => void;
  /** The app's page that shows this conversation (a message's link is it with `#message-<id>`). */
  pagePath?: string;
  /**
   * Whether a `#message-<id>` in the address is this conversation's to show (default yes). A room's main
   * chat says no while a thread is open: the link names a message of the thread.
   */
  showsLinkedMessage?: boolean;
  /** Hands the view around it a way to show a message (the pinned messages panel's "Jump"). */
  ref?: (handle: ConversationHandle) => void;
}

export interface ConversationHandle {
  /** Shows a message in the log, paging older history in when it is not loaded, and focuses it. */
  jumpTo: (messageId: string) => Promise<void>;
  /** Pins or unpins a message through the outbox, with the same notices as the message's menu. */
  pin: (message: MessageView, pinned: boolean) => void;
}

/**
 * A live conversation: its messages (segment docs, the member's pending and refused sends, and older
 * history on request), who is typing, and the composer. Works offline from the local replica. Rooms,
 * threads and DMs all show their messages through it.
 */
export function Conversation(props: ConversationProps): JSX.Element {
  const replica = useReplica();
  const me = props.user.id;
  const session = () => props.session();

  const now = createMinuteClock();

  const cache = createMemo(
    on(
      () => session().channelId,
      () => createItemCache(),
    ),
  );
  // The session merges and sorts on every read: read it once per change (it is thousands of messages
  // after a long scroll back).
  // While a jump pages in many older pages, the timeline is built once at the end, not once per page.
  const [paging, setPaging] = createSignal(false);
  const messages = createMemo<MessageView[]>((previous) => (paging() ? previous : session().messages()), []);
  // The read position when this conversation opened: the "New" line stays put while the member reads on
  // (reading moves the marker within a second of opening).
  const unreadAfter = createMemo(() => {
    const channelId = session().channelId;
    return untrack(() => replica.readMarker(channelId));
  });
  const timeline = createMemo<TimelineItem[]>(() => {
    const s = session();
    const { items, settled } = buildTimeline({
      me,
      channelId: s.channelId,
      // A blocked member's messages stay in the timeline, folded by their row ("a member you blocked").
      messages: messages(),
      outbox: replica.outbox(),
      waiting: replica.waitingIntents(),
      accepted: replica.acceptedSends(s.channelId),
      failed: replica.failed().map((f) => ({
        id: f.id,
        intent: f.intent,
        reason: f.verdict.reason,
        retryable: PASSING_REFUSALS.has(f.verdict.code),
      })),
      deferred: replica.deferred.all().map((d) => ({ ...d, files: d.files.map((f) => f.name) })),
      now: now(),
      unreadAfter: unreadAfter(),
    });
    if (settled.length > 0) queueMicrotask(() => replica.settleKnown(settled));
    return cache()(items);
  });

  // Opening a conversation with more unread than a screen holds starts at the "New" line, as Slack does;
  // when the line is on screen at the bottom already, the log stays there and keeps following.
  let unreadRevealedIn: string | undefined;
  createEffect(() => {
    const channelId = session().channelId;
    const items = timeline();
    if (unreadRevealedIn === channelId || !session().synced()) return;
    unreadRevealedIn = channelId;
    // A link to a message opens on that message instead.
    if (/^#message-/.test(window.location.hash)) return;
    if (!items.some((item) => item.kind === 'unread')) return;
    // Once the log has laid the rows out at the bottom (two frames: render, then measure).
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        if (session().channelId === channelId && log && !log.inView('unread')) void log.reveal('unread');
      }),
    );
  });

  const lastSeq = () => messages().at(-1)?.seq ?? 0;
  // Opened for the first time while offline: nothing of it is here, which is not "the start of the room"
  // (a room the list says is empty is, though).
  const notOnDevice = () =>
    messages().length === 0 &&
    !session().synced() &&
    session().ready() &&
    replica.displayState() === 'offline' &&
    (props.room && session().channelId === props.room.id ? props.room.messageCount > 0 : true);
  const atStart = () => {
    const first = messages()[0];
    if (first) return first.seq <= 1 || session().history().exhausted;
    return session().synced() || (session().ready() && replica.displayState() === 'offline');
  };
  const present = () => session().present();
  const online = () => replica.displayState() === 'online';
  // Access gone (a ban, removed from a circle): the composer gives way too (the log's top says why).
  const postRefusal = () => (session().purged() ? 'You can’t write here any more.' : (props.postRefusal ?? null));

  // Room-wide refusals of the member's other changes (edits, reactions, deletes) in this room.
  const failedChanges = () => {
    const ids = new Set(messages().map((m) => m.id));
    return replica
      .failed()
      .filter(
        (f) =>
          f.intent.kind !== 'send' &&
          f.intent.kind !== 'mark_read' &&
          'messageId' in f.intent &&
          ids.has(f.intent.messageId),
      );
  };

  // ---- composing ----
  const [replyTo, setReplyTo] = createSignal<ReplyTarget | null>(null);
  let composer: ComposerHandle | undefined;
  const mentionSource = createMentionSource({
    replica,
    token: () => props.token,
    me,
    roomId: () => props.room?.id ?? null,
    channelId: () => session().channelId,
    present,
  });
  createEffect(
    on(
      () => session().channelId,
      () => setReplyTo(null),
      { defer: true },
    ),
  );

  // ---- scrolling: the virtual log keeps the place; this decides when to page and where to jump ----
  let log: VirtualLogHandle | undefined;
  const [following, setFollowing] = createSignal(true);
  const [unseen, setUnseen] = createSignal(false);
  const scrollToBottom = () => {
    log?.scrollToBottom();
    setUnseen(false);
  };
  let lastKey: string | undefined;
  createEffect(
    on(timeline, (items) => {
      const last = items.at(-1);
      const grew = last !== undefined && last.key !== lastKey;
      lastKey = last?.key;
      if (grew && !untrack(following) && last.kind === 'message' && !last.mine) setUnseen(true);
    }),
  );
  // A link may name a message to show (`#message-<id>`, e.g. from a search hit): once the channel's
  // local data is on screen, jump to it, once per channel opened.
  let hashJumpFor: string | null = null;
  createEffect(
    on(
      () => session().channelId,
      (channelId) => {
        hashJumpFor =
          props.showsLinkedMessage !== false && /^#message-[\w-]+$/.test(window.location.hash) ? channelId : null;
        queueMicrotask(scrollToBottom);
      },
    ),
  );
  createEffect(() => {
    const s = session();
    if (!s.ready() || hashJumpFor !== s.channelId) return;
    hashJumpFor = null;
    const named = window.location.hash.slice('#message-'.length);
    queueMicrotask(() => void jumpTo(named));
  });

  const loadOlder = () => session().loadOlder(props.token);
  /** Scrolling near the top pages history in; after a failure the member retries with the button. */
  const onNearTop = () => {
    const h = session().history();
    if (!atStart() && !h.loading && !h.error && messages().length > 0) void loadOlder();
  };

  const [jumping, setJumping] = createSignal(false);
  /** History pages walked at most to reach a message (100 messages each). */
  const MAX_JUMP_PAGES = 400;
  /**
   * Shows a message: pages older history in until it is loaded (its seq comes from the server), brings
   * it into the rendered window, highlights and focuses it.
   */
  async function jumpTo(messageId: string): Promise<void> {
    const has = () => timeline().some((item) => item.key === messageId);
    if (!has()) {
      setJumping(true);
      setPaging(true);
      try {
        const around = await fetchAround(props.token, session().channelId, messageId, 1);
        for (let page = 0; page < MAX_JUMP_PAGES; page++) {
          const h = session().history();
          const oldest = session().messages()[0]?.seq;
          if (h.exhausted || h.error || (oldest !== undefined && oldest <= around.targetSeq)) break;
          // A page asked for by scrolling is on its way: wait for it rather than skip a turn.
          if (h.loading) await new Promise((resolve) => setTimeout(resolve, 50));
          else await loadOlder();
        }
      } catch (err) {
        say(isApiError(err) ? err.message : 'That message could not be found.', true);
      } finally {
        setPaging(false);
        setJumping(false);
      }
      if (!has()) {
        if (!session().history().error) say('That message is not available any more.', true);
        return;
      }
    }
    setUnseen(false);
    const row = await log?.reveal(messageId);
    const article = row?.firstElementChild;
    if (!(article instanceof HTMLElement)) return;
    article.classList.add('msg--highlight');
    article.focus({ preventScroll: true });
    setTimeout(() => article.classList.remove('msg--highlight'), 2200);
  }

  // ---- read markers: the room counts as read while it is on screen ----
  const [visible, setVisible] = createSignal(document.visibilityState === 'visible');
  const onVisibility = () => setVisible(document.visibilityState === 'visible');
  document.addEventListener('visibilitychange', onVisibility);
  onCleanup(() => document.removeEventListener('visibilitychange', onVisibility));
  // Debounced so a busy room does not queue an intent per message; a conversation left before the
  // debounce ends was still on screen, so leaving it (or switching to another) marks it read at once.
  let readTimer: ReturnType<typeof setTimeout> | undefined;
  let pendingRead: { channelId: string; seq: number } | undefined;
  const flushRead = () => {
    clearTimeout(readTimer);
    if (pendingRead) replica.markRead(pendingRead.channelId, pendingRead.seq);
    pendingRead = undefined;
  };
  createEffect(() => {
    const channelId = session().channelId;
    const seq = lastSeq();
    if (pendingRead && pendingRead.channelId !== channelId) flushRead();
    clearTimeout(readTimer);
    pendingRead = undefined;
    if (!visible() || seq === 0 || replica.readMarker(channelId) >= seq) return;
    pendingRead = { channelId, seq };
    readTimer = setTimeout(flushRead, MARK_READ_DEBOUNCE_MS);
  });
  onCleanup(flushRead);

  // ---- moderation, reports, threads ----
  const [notice, setNotice] = createSignal<{ text: string; error: boolean } | null>(null);
  let noticeTimer: ReturnType<typeof setTimeout> | undefined;
  const say = (text: string, error = false) => {
    clearTimeout(noticeTimer);
    setNotice({ text, error });
    noticeTimer = setTimeout(() => setNotice(null), error ? 12_000 : 6000);
  };
  onCleanup(() => clearTimeout(noticeTimer));
  /** Waits for the server's answer to an intent and says what happened. */
  const answer = (intentId: string, done: string, onAccepted?: (channelId: string | undefined) => void) => {
    void replica.whenVerdict(intentId).then((verdict) => {
      if (verdict.status === 'rejected') {
        replica.dropFailed(intentId);
        say(verdict.reason, true);
      } else {
        say(verdict.status === 'held' ? verdict.reason : done);
        onAccepted?.(verdict.channelId);
      }
    });
  };
  /** Hidden messages as the room's moderators read them over REST (words and files), by id. */
  const [hiddenViews, setHiddenViews] = createSignal<Record<string, MessageView | null>>({});
  const hiddenView = (message: { id: string; channelId: string }): MessageView | null => {
    const known = hiddenViews()[message.id];
    if (known !== undefined) return known;
    setHiddenViews((all) => ({ ...all, [message.id]: null }));
    void fetchAround(props.token, message.channelId, message.id, 3)
      .then((page) => {
        const found = page.messages.find((m) => m.id === message.id);
        setHiddenViews((all) => ({ ...all, [message.id]: found ? fromHistory(found) : null }));
      })
      .catch(() => undefined);
    return null;
  };
  const hiddenBody = (message: { id: string; channelId: string }): string | null => {
    const view = hiddenView(message);
    return view && (view.body !== '' || view.attachments.length > 0) ? view.body : null;
  };

  // A room's threads marked answered (a thread's or a DM's own list stays empty).
  const resolvedThreads = createMemo(() => {
    const resolved = session()
      .threads()
      .filter((t) => t.resolved);
    return new Set(resolved.map((t) => t.id));
  });
  // ↑ in the empty composer: the member's last message they can still change opens for editing.
  const [editRequest, setEditRequest] = createSignal<{ messageId: string } | null>(null);
  const editLast = (): boolean => {
    const items = timeline();
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]!;
      if (item.kind !== 'message' || !item.mine) continue;
      const { message } = item;
      if (message.deleted || message.hidden || message.type === 'system' || item.saving === 'delete') continue;
      setEditRequest({ messageId: message.id });
      // A row scrolled out of the rendered window is brought back so it can take the request.
      if (!document.querySelector(`article.msg[data-message-id="${message.id}"]`)) void log?.reveal(message.id);
      return true;
    }
    return false;
  };

  /** A name's "Message": the 1:1 conversation with them (the server returns the pair's existing one). */
  const messageMember = (userId: string) => {
    const name = replica.members.nameOf(userId);
    const id = replica.enqueue({ kind: 'start_dm', participantIds: [userId], title: null });
    if (!online()) say(`Saved on this device: your conversation with ${name} opens when you are back online.`);
    void replica.whenVerdict(id).then((verdict) => {
      if (verdict.status === 'rejected') {
        replica.dropFailed(id);
        say(verdict.reason, true);
      } else if (verdict.channelId) navigate(paths.conversation(verdict.channelId));
    });
  };
  const reply = (target: { id: string; authorId: string | null; snippet: string }) => {
    setReplyTo({
      id: target.id,
      authorName: actions.nameOf(target.authorId),
      snippet: target.snippet.length > 140 ? `${target.snippet.slice(0, 139)}…` : target.snippet,
    });
    composer?.focus();
  };
  const actions: MessageActions = {
    me,
    online,
    now,
    clock: replica.now,
    editRequest,
    onEditRequestTaken: () => setEditRequest(null),
    onCopyLink: props.pagePath
      ? (message) => {
          const link = `${window.location.origin}${props.pagePath}#message-${message.id}`;
          void navigator.clipboard?.writeText(link).then(
            () => say('Link to the message copied.'),
            () => say('The link could not be copied here.', true),
          );
        }
      : undefined,
    onEditFromComposerDone: () => composer?.focus(),
    threadResolved: (threadId) => resolvedThreads().has(threadId),
    nameOf: (id) => (id === me ? props.user.displayName : replica.members.nameOf(id)),
    handleOf: (id) => (id === me ? props.user.handle : (replica.members.get(id)?.handle ?? '')),
    // Only where the member may post: an announcement room's member, a muted one or a locked thread's reader
    // has no composer to reply in, so their toolbar offers no Reply.
    get onReply() {
      return postRefusal() ? undefined : reply;
    },
    onJump: (messageId) => void jumpTo(messageId),
    onReact: (messageId, emoji, add) => {
      replica.enqueue(add ? { kind: 'react', messageId, emoji } : { kind: 'unreact', messageId, emoji });
    },
    onEdit: (messageId, body) => {
      replica.enqueue({ kind: 'edit', messageId, body });
    },
    onDelete: (messageId) => {
      replica.enqueue({ kind: 'delete', messageId });
    },
    onRetry: (intentId) => (isDeferred(intentId) ? replica.deferred.kick() : replica.retryFailed(intentId)),
    onEditFailed: (intentId) => {
      if (isDeferred(intentId)) {
        // A file the server refused stopped it: words and files go back to the composer to fix.
        const taken = replica.deferred.remove(deferredId(intentId));
        if (!taken) return;
        composer?.fill(taken.body);
        composer?.restoreFiles(taken.files.flatMap((f) => (f.view ? [f.view] : [])));
        composer?.addFiles(
          taken.files.flatMap((f) => (!f.view && f.blob ? [new File([f.blob], f.name, { type: f.blob.type })] : [])),
        );
        return;
      }
      const failed = replica.failed().find((f) => f.id === intentId);
      if (!failed || failed.intent.kind !== 'send') return;
      composer?.fill(failed.intent.body);
      // Its files were uploaded and are still the member's (a refused send claims nothing): they come back
      // with the words when this tab uploaded them.
      composer?.restoreFiles(
        (failed.intent.attachmentIds ?? []).flatMap((id) => {
          const file = uploadedFile(id);
          return file ? [file] : [];
        }),
      );
      replica.dropFailed(intentId);
    },
    onDiscard: (intentId) => {
      if (isDeferred(intentId)) void replica.deferred.remove(deferredId(intentId));
      else {
        replica.discardWaiting(intentId);
        replica.dropFailed(intentId);
      }
    },
    onPin: (message, pinned) => {
      const id = replica.enqueue({ kind: 'pin', messageId: message.id, pinned });
      if (!online())
        say(`Saved on this device: the message is ${pinned ? 'pinned' : 'unpinned'} when you are back online.`);
      answer(id, pinned ? 'Message pinned. Everyone here sees it under “Pinned”.' : 'Message unpinned.');
    },
    get standing() {
      return props.standing;
    },
    get canStartThread() {
      return props.canStartThread;
    },
    onOpenThread: (threadId) => props.onOpenThread?.(threadId),
    // Only in the app (a conversation with a page): a widget cannot take the member to their messages.
    get onMessageMember() {
      return props.pagePath === undefined ? undefined : messageMember;
    },
    get onMention() {
      return postRefusal() ? undefined : (handle: string) => composer?.mention(handle);
    },
    blocks: (id) => replica.blocks(id),
    mutes: (id) => replica.mutes(id),
    hiddenBody,
    hiddenFiles: (message) => hiddenView(message)?.attachments ?? [],
    fileUrl: (id) => attachmentUrl(props.token, id),
    onRelation: (userId, kind, on) => {
      const name = replica.members.nameOf(userId);
      setRelation(props.token, kind, userId, on).then(
        () =>
          say(
            kind === 'blocks'
              ? on
                ? `You blocked ${name}. Their messages are folded away on your devices.`
                : `You unblocked ${name}.`
              : on
                ? `You muted ${name}. Their messages are collapsed.`
                : `You unmuted ${name}.`,
          ),
        (err: unknown) => say(isApiError(err) ? err.message : 'That did not work. Please try again.', true),
      );
    },
    onForm: (form, message, result) => {
      const roomId = props.room?.id;
      switch (form) {
        case 'hide': {
          const id = replica.enqueue({
            kind: 'hide',
            messageId: message.id,
            hidden: !message.hidden,
            reason: result.reason,
          });
          answer(id, message.hidden ? 'The message is visible again.' : 'The message is hidden from members.');
          break;
        }
        case 'delete':
          answer(
            replica.enqueue({ kind: 'delete', messageId: message.id, reason: result.reason }),
            'The message was deleted.',
          );
          break;
        case 'report': {
          if (!result.reportReason) return; // the form asks for one before it sends
          const id = replica.enqueue({
            kind: 'report',
            messageId: message.id,
            reason: result.reportReason,
            details: result.details,
          });
          answer(id, 'Thanks: your report was sent to the moderators.');
          break;
        }
        case 'warn':
        case 'mute':
        case 'ban': {
          if (!roomId || !message.authorId) return;
          const name = replica.members.nameOf(message.authorId);
          const id = replica.enqueue({
            kind: 'moderate_member',
            roomId,
            userId: message.authorId,
            action: form,
            durationMinutes: form === 'mute' ? result.durationMinutes : null,
            reason: result.reason,
          });
          answer(
            id,
            form === 'warn'
              ? `${name} was warned.`
              : form === 'mute'
                ? `${name} is muted here.`
                : `${name} is banned from this room.`,
          );
          break;
        }
        case 'thread': {
          if (!roomId) return;
          const id = replica.enqueue({
            kind: 'create_thread',
            roomId,
            title: result.title,
            body: result.body,
            parentMessageId: message.id,
          });
          answer(id, 'Thread started.', (threadId) => threadId && props.onOpenThread?.(threadId));
          break;
        }
      }
    },
  };

  props.ref?.({ jumpTo, pin: (message, pinned) => actions.onPin?.(message, pinned) });

  return (
    <div class="chat__main">
      <VirtualLog
        items={timeline()}
        estimate={estimateHeight}
        anchorable={(item) => item.kind !== 'day' && item.kind !== 'unread'}
        focusable={(item) => item.kind !== 'day' && item.kind !== 'unread'}
        label={`Messages in ${props.name}`}
        onNearTop={onNearTop}
        onFollowChange={(value) => {
          setFollowing(value);
          if (value) setUnseen(false);
        }}
        ref={(handle) => (log = handle)}
        header={
          <div class="chat__start">
            <Switch>
              <Match when={session().purged()}>
                {(reason) => (
                  <p class="chat__notice" role="alert">
                    {reason()}
                  </p>
                )}
              </Match>
              <Match when={notOnDevice()}>
                <p class="chat__notice" role="status">
                  You’re offline, and this conversation’s messages aren’t on this device yet: they appear once you’re
                  back online. You can still write; what you send goes out then.
                </p>
              </Match>
              <Match when={atStart()}>{props.intro}</Match>
              <Match when={messages().length > 0}>
                <div class="chat__older">
                  <button
                    type="button"
                    class="button button--secondary button--small"
                    onClick={() => void loadOlder()}
                    disabled={session().history().loading}
                    aria-busy={session().history().loading}
                  >
                    <RefreshIcon />
                    {session().history().loading ? 'Loading older messages…' : 'Load older messages'}
                  </button>
                  <Show when={session().history().error}>
                    {(message) => (
                      <p class="chat__older-error" role="status">
                        {message()}
                      </p>
                    )}
                  </Show>
                </div>
              </Match>
              <Match when={true}>
                <div class="chat__loading" aria-hidden="true">
                  <span class="skeleton skeleton--line skeleton--short" />
                  <span class="skeleton skeleton--line" />
                  <span class="skeleton skeleton--line skeleton--short" />
                </div>
                <span class="visually-hidden" role="status">
                  Loading messages…
                </span>
              </Match>
            </Switch>
          </div>
        }
      >
        {(item) => (
          <Switch>
            <Match when={item.kind === 'day' && item}>
              {(day) => (
                <div class="day-divider" role="separator" aria-label={day().label}>
                  <span class="day-divider__label">{day().label}</span>
                </div>
              )}
            </Match>
            <Match when={item.kind === 'unread'}>
              <div class="unread-divider" role="separator" aria-label="New messages since you last read">
                <span class="unread-divider__label" aria-hidden="true">
                  New
                </span>
              </div>
            </Match>
            <Match when={item.kind === 'message' && item}>
              {(msg) => <MessageRow item={msg()} actions={actions} />}
            </Match>
            <Match when={item.kind === 'pending' && item}>
              {(pending) => <PendingRow item={pending()} actions={actions} />}
            </Match>
          </Switch>
        )}
      </VirtualLog>
      <Show when={jumping()}>
        <p class="chat__jumping" role="status">
          Finding the message in older history…
        </p>
      </Show>
      <Show when={unseen()}>
        <button type="button" class="chat__jump" onClick={scrollToBottom}>
          <ArrowDownIcon />
          New messages
        </button>
      </Show>
      <div class="chat__bottom">
        <TypingIndicator present={present()} />
        <Show when={notice()}>
          {(n) => (
            <div class="chat__failed" classList={{ 'chat__notice-ok': !n().error }} role="status">
              <span>{n().text}</span>
              <button type="button" class="icon-button" aria-label="Dismiss" onClick={() => setNotice(null)}>
                <CloseIcon />
              </button>
            </div>
          )}
        </Show>
        <For each={failedChanges()}>
          {(failed) => (
            <div class="chat__failed" role="status">
              <span>
                {FAILED_WHAT[failed.intent.kind] ?? 'That change'} could not be saved: {failed.verdict.reason}
              </span>
              <button
                type="button"
                class="icon-button"
                aria-label="Dismiss"
                onClick={() => replica.dropFailed(failed.id)}
              >
                <CloseIcon />
              </button>
            </div>
          )}
        </For>
        <Show
          when={!postRefusal()}
          fallback={
            <p class="chat__closed" role="note">
              {postRefusal()}
            </p>
          }
        >
          <Composer
            channelId={session().channelId}
            roomName={props.name}
            placeholder={props.composerPlaceholder}
            draft={() => replica.draft(session().channelId)}
            onRemoteDraft={(fn) => replica.onRemoteDraft(fn)}
            saveDraft={(channelId, text) => replica.setDraft(channelId, text)}
            onSendLater={(body, replyToId, files) => {
              replica.sendLater({ channelId: session().channelId, body, replyToId, files });
              setReplyTo(null);
              queueMicrotask(scrollToBottom);
            }}
            onSend={(body, replyToId, files) => {
              replica.send({ channelId: session().channelId, body, replyToId, files });
              setReplyTo(null);
              queueMicrotask(scrollToBottom);
            }}
            onTyping={(active) => session().typing(active)}
            onEditLast={editLast}
            replyTo={replyTo()}
            onCancelReply={() => setReplyTo(null)}
            ref={(handle) => (composer = handle)}
            mentions={mentionSource}
            asksQuestions={props.room?.contextType === 'help' && session().channelId === props.room.id}
            files={{
              upload: (file, signal) => uploadAttachment(props.token, file, signal),
              refusal: () => {
                const decision = props.standing.decide('post_attachment', {});
                return decision.allowed ? null : decision.reason;
              },
            }}
          />
        </Show>
      </div>
    </div>
  );
}
