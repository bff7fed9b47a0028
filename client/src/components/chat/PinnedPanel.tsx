import { createEffect, createMemo, createSignal, For, on, onCleanup, Show, type JSX } from 'solid-js';
import type { MessageView } from '../../../../shared/sync/channel-doc.ts';
import { fetchAround, fromHistory } from '../../api/community.ts';
import { attachmentUrl } from '../../api/attachments.ts';
import { isApiError } from '../../api/http.ts';
import { useReplica } from '../../replica/context.ts';
import { LocalDatabaseSlow } from '../../replica/sql/sql-replica.ts';
import type { RoomSession } from '../../replica/room-session.ts';
import type { Standing } from '../../replica/standing.ts';
import { snippetOf } from '../../replica/timeline.ts';
import { CloseIcon, PinIcon } from '../icons.tsx';
import { MessageAttachments } from './Attachments.tsx';

/** One pinned message as the member sees the list: the server's pins with their own queued changes applied. */
export interface PinEntry {
  messageId: string;
  /** Pinned on this device and not confirmed yet (offline, or waiting for the server's answer). */
  pending: boolean;
}

/**
 * The channel's pinned messages, newest pin first: the meta doc's pins (live for every member, and complete:
 * pins of messages far back in history are there too), with the member's own queued pins first and their
 * queued unpins left out, so a change made offline shows at once.
 */
export function usePins(session: () => RoomSession): () => PinEntry[] {
  const replica = useReplica();
  return createMemo<PinEntry[]>(
    () => {
      const s = session();
      const confirmed = s.pins();
      const wanted = new Map<string, boolean>();
      for (const { intent } of replica.outbox()) if (intent.kind === 'pin') wanted.set(intent.messageId, intent.pinned);
      if (wanted.size === 0) return confirmed.map((p) => ({ messageId: p.messageId, pending: false }));
      const here = new Set([...confirmed.map((p) => p.messageId), ...s.messages().map((m) => m.id)]);
      const isPinned = new Set(confirmed.map((p) => p.messageId));
      const queued = [...wanted]
        .filter(([id, pinned]) => pinned && here.has(id) && !isPinned.has(id))
        .map(([messageId]) => ({ messageId, pending: true }))
        .reverse();
      const kept = confirmed
        .filter((p) => wanted.get(p.messageId) !== false)
        .map((p) => ({ messageId: p.messageId, pending: false }));
      return [...queued, ...kept];
    },
    [],
    {
      equals: (a, b) =>
        a.length === b.length && a.every((p, i) => p.messageId === b[i]!.messageId && p.pending === b[i]!.pending),
    },
  );
}

interface SqlMessageRow {
  id: string;
  channel_id: string;
  seq: number;
  author_id: string | null;
  body: string;
  type: MessageView['type'];
  reply_to_id: string | null;
  thread_id: string | null;
  edited: boolean;
  hidden: boolean;
  deleted: boolean;
  pinned: boolean;
  created_at: Date | string;
  edited_at: Date | string | null;
  reactions: Record<string, string[]> | null;
  attachments: MessageView['attachments'] | null;
}

const iso = (value: Date | string) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString());

function fromRow(row: SqlMessageRow): MessageView {
  return {
    id: row.id,
    channelId: row.channel_id,
    seq: row.seq,
    authorId: row.author_id,
    body: row.body,
    type: row.type,
    replyToId: row.reply_to_id,
    threadId: row.thread_id,
    mentions: [],
    edited: row.edited,
    hidden: row.hidden,
    hiddenReason: null,
    deleted: row.deleted,
    pinned: row.pinned,
    createdAt: iso(row.created_at),
    editedAt: row.edited_at === null ? null : iso(row.edited_at),
    reactions: row.reactions ?? {},
    threadReplies: 0,
    threadLastReplyAt: null,
    attachments: row.attachments ?? [],
    // The device's SQL replica keeps no cards: a pinned message read from it shows its words and files.
    linkPreview: null,
  };
}

const MESSAGE_BY_IDS_SQL = `
  SELECT id::text AS id, channel_id::text AS channel_id, seq, author_id::text AS author_id, body, type,
         reply_to_id::text AS reply_to_id, thread_id::text AS thread_id, edited, hidden, deleted, pinned,
         created_at, edited_at, reactions, attachments
    FROM messages WHERE channel_id = $1::uuid AND id = ANY($2::uuid[])`;

/** REST look-ups of missing pinned messages at once, at most. */
const FETCH_CONCURRENCY = 4;
/** How long the panel waits for the device's database before saying a message is not here yet. */
const LOCAL_READ_WAIT_MS = 8000;

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The room's pinned messages beside the conversation (the whole screen on phones): author, snippet, files
 * (images as thumbnails, other files as download cards) and time of each, newest pin first, each with "Jump" to show it in the log. A message the log has not loaded
 * (older history) is read from this device's SQL replica or, online, from the server's history route, so
 * every pin is listed; hidden and deleted messages never are (the meta doc drops them). Live for everyone:
 * the list follows the meta doc.
 */
export function PinnedPanel(props: {
  session: () => RoomSession;
  token: string;
  roomName: string;
  standing: Standing;
  nameOf: (id: string | null) => string;
  onJump: (messageId: string) => void;
  onUnpin: (message: MessageView) => void;
  onClose: () => void;
}): JSX.Element {
  const replica = useReplica();
  const pins = usePins(props.session);
  const loaded = createMemo(
    () =>
      new Map(
        props
          .session()
          .messages()
          .map((m) => [m.id, m]),
      ),
  );
  /** Messages not in the log, by id: the view found, or null when the server says it is gone. */
  const [found, setFound] = createSignal<Record<string, MessageView | null>>({});
  const [failed, setFailed] = createSignal<string | null>(null);
  /**
   * Ids being looked up now: by which look-up, and whether it is asking the server or reading this device.
   * A device read can take many seconds (the database still opening after a reload, or a stalled worker
   * given up on after 10 s): while one is under way and the connection is back, the server is asked
   * beside it instead of after it — the pin's words came long after the member was online, sometimes
   * after the e2e pins test's 10 s (its flake).
   */
  const asking = new Map<string, { phase: 'server' | 'device'; by: object }>();
  /**
   * Asked to look while a look-up was under way: that look-up may end empty-handed, so look once more
   * after it, or those pins would stay unresolved.
   */
  let askAgain = false;
  let closed = false;
  onCleanup(() => (closed = true));

  async function resolveMissing(): Promise<void> {
    const channelId = props.session().channelId;
    const unresolved = pins()
      .map((p) => p.messageId)
      .filter((id) => !loaded().has(id) && found()[id] === undefined);
    const online = replica.displayState() !== 'offline';
    const missing = unresolved.filter((id) => {
      const current = asking.get(id);
      return current === undefined || (online && current.phase === 'device');
    });
    if (missing.length < unresolved.length) askAgain = true;
    if (missing.length === 0) return;
    const me = {};
    for (const id of missing) asking.set(id, { phase: online ? 'server' : 'device', by: me });
    const results: Record<string, MessageView | null> = {};
    let trouble: string | null = null;
    try {
      if (online) {
        const queue = [...missing];
        const worker = async () => {
          for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
            try {
              const page = await fetchAround(props.token, channelId, id, 1);
              const hit = page.messages.find((m) => m.id === id);
              results[id] = hit ? fromHistory(hit) : null;
            } catch (err) {
              if (isApiError(err) && (err.status === 404 || err.status === 403)) results[id] = null;
              else trouble = 'Some pinned messages could not be loaded. They show when you are back online.';
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, missing.length) }, worker));
        const views = Object.values(results).filter((m): m is MessageView => m !== null);
        // What was read lands in the SQL replica, so the list opens offline next time.
        if (views.length > 0) void replica.sql.upsertMessages(views, 'history');
      }
      const stillMissing = missing.filter((id) => results[id] === undefined);
      for (const id of stillMissing) {
        const current = asking.get(id);
        if (current?.by === me) current.phase = 'device';
      }
      if (stillMissing.length > 0) {
        // Offline (or the server could not answer): what this device keeps of older history.
        const rows = await replica.sql.read<SqlMessageRow>(MESSAGE_BY_IDS_SQL, [channelId, stillMissing], {
          waitMs: LOCAL_READ_WAIT_MS,
        });
        for (const row of rows) results[row.id] = fromRow(row);
        if (rows.length < stillMissing.length && replica.displayState() === 'offline')
          trouble = 'Some pinned messages are not on this device. They show when you are back online.';
      }
    } catch (err) {
      trouble = 'Some pinned messages could not be loaded.';
      // The device's database is still opening: look again once it is.
      if (err instanceof LocalDatabaseSlow)
        void replica.sql.ready.then(() => {
          if (!closed) void resolveMissing();
        });
    } finally {
      // A look-up started meanwhile owns the id now.
      for (const id of missing) if (asking.get(id)?.by === me) asking.delete(id);
    }
    if (closed) return;
    setFound((all) => ({ ...all, ...results }));
    // A look-up that ends after another one found its messages has nothing left to complain about.
    setFailed(missing.some((id) => found()[id] === undefined) ? trouble : null);
    if (askAgain && asking.size === 0) {
      askAgain = false;
      void resolveMissing();
    }
  }

  createEffect(
    on(
      () => [
        pins()
          .map((p) => p.messageId)
          .join(','),
        props.session().channelId,
        replica.displayState(),
      ],
      () => void resolveMissing(),
    ),
  );

  const entries = createMemo(() =>
    pins().flatMap((pin) => {
      const message = loaded().get(pin.messageId) ?? found()[pin.messageId];
      if (message === null) return [];
      if (message && (message.hidden || message.deleted || replica.blocks(message.authorId))) return [];
      return [{ ...pin, message }];
    }),
  );
  const waiting = () => entries().filter((e) => e.message === undefined).length;
  const canUnpin = () => props.standing.decide('pin_message', {}).allowed;

  return (
    <aside
      class="side-panel pinned-panel"
      aria-labelledby="pinned-panel-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !e.defaultPrevented) {
          e.preventDefault();
          props.onClose();
        }
      }}
    >
      <header class="side-panel__header">
        {/* Focus moves here when the panel opens (on phones it covers the conversation). */}
        <h2
          class="side-panel__title"
          id="pinned-panel-title"
          tabIndex={-1}
          ref={(el) => queueMicrotask(() => el.focus({ preventScroll: true }))}
        >
          <PinIcon />
          Pinned messages
        </h2>
        <button
          type="button"
          class="icon-button"
          aria-label="Close pinned messages"
          title="Close"
          onClick={() => props.onClose()}
        >
          <CloseIcon />
        </button>
      </header>
      <div class="side-panel__body">
        <Show
          when={entries().length > 0}
          fallback={
            <div class="pinned-panel__empty">
              <p class="pinned-panel__empty-title">No pinned messages yet</p>
              <p class="side-panel__note">
                Important messages of {props.roomName} can be pinned here from a message’s “More actions” menu, by
                trusted members and moderators.
              </p>
            </div>
          }
        >
          <ol class="pinned-list" aria-label={`Pinned messages in ${props.roomName}`}>
            <For each={entries()}>
              {(entry) => {
                const author = () => (entry.message ? props.nameOf(entry.message.authorId) : 'Earlier message');
                const at = () => (entry.message ? new Date(entry.message.createdAt) : null);
                const titleId = `pinned-${entry.messageId}`;
                const files = () => entry.message?.attachments ?? [];
                return (
                  <li class="pinned-item" data-message-id={entry.messageId}>
                    <p class="pinned-item__meta" id={titleId}>
                      <span class="pinned-item__author">{author()}</span>
                      <Show when={at()}>
                        {(date) => (
                          <time class="pinned-item__time" dateTime={date().toISOString()}>
                            {timeFormat.format(date())}
                          </time>
                        )}
                      </Show>
                      <Show when={entry.pending}>
                        <span class="pinned-item__pending">
                          {replica.displayState() === 'online' ? 'Pinning…' : 'Waiting to sync'}
                        </span>
                      </Show>
                    </p>
                    <Show when={!entry.message || snippetOf(entry.message) !== '' || files().length === 0}>
                      <p class="pinned-item__snippet">
                        {entry.message
                          ? snippetOf(entry.message)
                          : failed()
                            ? 'This message is not on this device yet.'
                            : 'Loading the message…'}
                      </p>
                    </Show>
                    {/* What was pinned is often the file itself (a guide as a PDF, a screenshot of the fix). */}
                    <Show when={files().length > 0}>
                      <MessageAttachments files={files()} fileUrl={(id) => attachmentUrl(props.token, id)} />
                    </Show>
                    <div class="pinned-item__buttons">
                      <button
                        type="button"
                        class="button button--secondary button--small"
                        aria-describedby={titleId}
                        onClick={() => props.onJump(entry.messageId)}
                      >
                        Jump
                      </button>
                      <Show when={canUnpin() && entry.message}>
                        {(message) => (
                          <button
                            type="button"
                            class="button button--ghost button--small"
                            aria-describedby={titleId}
                            onClick={() => props.onUnpin(message())}
                          >
                            Unpin
                          </button>
                        )}
                      </Show>
                    </div>
                  </li>
                );
              }}
            </For>
          </ol>
        </Show>
        <Show when={waiting() > 0 && !failed()}>
          <p class="side-panel__note" role="status">
            Loading {waiting() === 1 ? 'a pinned message' : `${waiting()} pinned messages`} from older history…
          </p>
        </Show>
        <Show when={failed()}>
          {(text) => (
            <p class="side-panel__note" role="status">
              {text()}
            </p>
          )}
        </Show>
      </div>
    </aside>
  );
}
