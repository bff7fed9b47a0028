import { messageExcerpt } from '../../../shared/markdown/message-markdown.ts';
import type { MessageView } from '../../../shared/sync/channel-doc.ts';
import type { Intent } from '../../../shared/sync/intents.ts';

type SendIntent = Extract<Intent, { kind: 'send' }>;

/** A quoted original above a reply. */
export interface ReplyRef {
  id: string;
  authorId: string | null;
  /** Null when the original is not loaded (further back in history). */
  snippet: string | null;
  gone: boolean;
}

export interface MessageItem {
  kind: 'message';
  key: string;
  message: MessageView;
  /** Changes of the member's own that the server has not confirmed yet. */
  saving: 'edit' | 'delete' | null;
  /** Continues the previous message of the same author: no avatar and name row. */
  grouped: boolean;
  replyTo: ReplyRef | null;
  mine: boolean;
}

export interface PendingItem {
  kind: 'pending';
  key: string;
  intentId: string;
  intent: SendIntent;
  status: 'sending' | 'failed';
  reason: string | null;
  /** A failed send that may pass if tried again as it is (a limit ran out); false: only an edit helps. */
  retryable: boolean;
  grouped: boolean;
  replyTo: ReplyRef | null;
  /** The last of a run of sends still waiting: it carries the run's "sending" line. */
  lastOfRun: boolean;
  /** How many sends the run ending here holds (meaningful on its last). */
  runLength: number;
  /** A message with files written while they could not be uploaded (replica/deferred-sends.ts): their names. */
  deferredFiles?: string[];
  /** Held back by a limit that runs out (sent by the server then): which limit, and when (epoch ms). */
  waiting?: { reason: string; retryAt: number };
}

export interface DayItem {
  kind: 'day';
  key: string;
  label: string;
  iso: string;
}

/** Where the messages this member has not read yet begin (others' messages after their read position). */
export interface UnreadItem {
  kind: 'unread';
  key: 'unread';
}

export type TimelineItem = MessageItem | PendingItem | DayItem | UnreadItem;

export interface TimelineInput {
  me: string;
  channelId: string;
  messages: MessageView[];
  outbox: Array<{ id: string; intent: Intent }>;
  /** Outbox entries a limit holds back (verdict "waiting"), by intent id. */
  waiting?: ReadonlyMap<string, { reason: string; retryAt: number }>;
  /** Sends accepted by the server whose message may not have arrived yet. */
  accepted: Array<{ id: string; intent: SendIntent; messageId: string }>;
  failed: Array<{ id: string; intent: Intent; reason: string; retryable?: boolean }>;
  /** Messages whose files wait to be uploaded (they are not in the outbox yet). */
  deferred?: Array<{
    id: string;
    channelId: string;
    body: string;
    replyToId: string | null;
    createdAt: number;
    files: string[];
    failure: string | null;
  }>;
  now: Date;
  /**
   * The member's read position when they opened the conversation: the "New" line goes above the first
   * message of someone else after it. 0 (never read here) draws none: everything would be "new".
   */
  unreadAfter?: number;
}

/** Messages of one author closer together than this read as one block. */
const GROUP_WINDOW_MS = 7 * 60 * 1000;

export function dayKey(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

export function dayLabel(date: Date, now: Date): string {
  const today = dayKey(now);
  const yesterday = dayKey(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1));
  const key = dayKey(date);
  if (key === today) return 'Today';
  if (key === yesterday) return 'Yesterday';
  return date.toLocaleDateString(undefined, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    ...(date.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }),
  });
}

export function snippetOf(message: MessageView): string {
  if (message.deleted) return 'Message deleted';
  if (message.hidden) return 'Hidden by moderation';
  return messageExcerpt(message.body, 120);
}

function applyOwnChanges(
  message: MessageView,
  me: string,
  changes: Intent[],
): { message: MessageView; saving: MessageItem['saving'] } {
  let view = message;
  let saving: MessageItem['saving'] = null;
  for (const intent of changes) {
    switch (intent.kind) {
      case 'edit':
        if (!view.deleted) view = { ...view, body: intent.body, edited: true };
        saving = saving ?? 'edit';
        break;
      case 'delete':
        saving = 'delete';
        break;
      case 'react': {
        const who = view.reactions[intent.emoji] ?? [];
        if (!who.includes(me)) view = { ...view, reactions: { ...view.reactions, [intent.emoji]: [...who, me] } };
        break;
      }
      case 'unreact': {
        const who = view.reactions[intent.emoji] ?? [];
        if (who.includes(me)) {
          const rest = who.filter((id) => id !== me);
          const reactions = { ...view.reactions };
          if (rest.length > 0) reactions[intent.emoji] = rest;
          else delete reactions[intent.emoji];
          view = { ...view, reactions };
        }
        break;
      }
      case 'pin':
        // Pinned or unpinned on this device: shown at once (offline too), confirmed when the server answers.
        if (!view.deleted && !view.hidden) view = { ...view, pinned: intent.pinned };
        break;
      default:
        break;
    }
  }
  return { message: view, saving };
}

/**
 * The room's conversation as the member sees it: confirmed messages in the server's seq order, with
 * the member's own unconfirmed changes applied, then their pending and refused sends in the order they
 * wrote them, with day separators and author groups. A send disappears from the pending tail only when
 * its message (named by the verdict's messageId) is in the list: never shown twice, never missing.
 */
export function buildTimeline(input: TimelineInput): { items: TimelineItem[]; settled: string[] } {
  const { me, channelId, messages } = input;
  const byId = new Map(messages.map((m) => [m.id, m]));
  const changesByMessage = new Map<string, Intent[]>();
  for (const { intent } of input.outbox) {
    if ('messageId' in intent && byId.has(intent.messageId)) {
      const list = changesByMessage.get(intent.messageId) ?? [];
      list.push(intent);
      changesByMessage.set(intent.messageId, list);
    }
  }

  const replyRef = (replyToId: string | null | undefined): ReplyRef | null => {
    if (!replyToId) return null;
    const original = byId.get(replyToId);
    if (!original) return { id: replyToId, authorId: null, snippet: null, gone: false };
    return { id: original.id, authorId: original.authorId, snippet: snippetOf(original), gone: original.deleted };
  };

  type Row =
    | { type: 'message'; message: MessageView; at: Date }
    | {
        type: 'pending';
        id: string;
        intent: SendIntent;
        status: 'sending' | 'failed';
        reason: string | null;
        retryable?: boolean;
        at: Date;
        deferredFiles?: string[];
        waiting?: { reason: string; retryAt: number };
      };
  const rows: Row[] = messages.map((message) => ({ type: 'message', message, at: new Date(message.createdAt) }));

  // Pending sends follow the confirmed messages; one written offline yesterday still shows at the end.
  const lastAt = messages.length > 0 ? new Date(messages[messages.length - 1]!.createdAt).getTime() : 0;
  const pendingAt = (createdAt: number) => new Date(Math.max(createdAt, lastAt));
  const settled: string[] = [];
  const pendingIds = new Set<string>();
  for (const { id, messageId } of input.accepted) {
    if (byId.has(messageId)) settled.push(id);
  }
  const acceptedIds = new Map(input.accepted.map((a) => [a.id, a.messageId]));
  const pendingSends: Array<{ id: string; intent: SendIntent }> = [];
  for (const { id, intent } of input.outbox) {
    if (intent.kind === 'send' && intent.channelId === channelId) pendingSends.push({ id, intent });
  }
  for (const a of input.accepted) {
    if (!byId.has(a.messageId) && !pendingSends.some((p) => p.id === a.id))
      pendingSends.push({ id: a.id, intent: a.intent });
  }
  pendingSends.sort((a, b) => a.intent.n - b.intent.n);
  // The server sends nothing of a conversation past a message a limit holds (it keeps the order written):
  // the ones after it wait with it, though no verdict says so yet.
  let heldAhead: { reason: string; retryAt: number } | undefined;
  for (const { id, intent } of pendingSends) {
    const messageId = acceptedIds.get(id);
    if (messageId && byId.has(messageId)) continue;
    pendingIds.add(id);
    const waiting = input.waiting?.get(id) ?? (acceptedIds.has(id) ? undefined : heldAhead);
    heldAhead ??= input.waiting?.get(id);
    rows.push({
      type: 'pending',
      id,
      intent,
      status: 'sending',
      reason: null,
      at: pendingAt(intent.createdAt),
      ...(waiting ? { waiting } : {}),
    });
  }
  for (const { id, intent, reason, retryable } of input.failed) {
    if (intent.kind !== 'send' || intent.channelId !== channelId || pendingIds.has(id)) continue;
    rows.push({ type: 'pending', id, intent, status: 'failed', reason, retryable, at: pendingAt(intent.createdAt) });
  }
  // After the outbox's sends: these reach it only once their files are uploaded.
  for (const d of input.deferred ?? []) {
    if (d.channelId !== channelId) continue;
    const intent: SendIntent = {
      kind: 'send',
      channelId,
      body: d.body,
      replyToId: d.replyToId,
      n: 0,
      createdAt: d.createdAt,
    };
    rows.push({
      type: 'pending',
      id: `deferred:${d.id}`,
      intent,
      status: d.failure ? 'failed' : 'sending',
      reason: d.failure,
      at: pendingAt(d.createdAt),
      // A message without files waits only for the one before it: it shows as an ordinary pending send.
      ...(d.files.length > 0 ? { deferredFiles: d.files } : {}),
    });
  }

  const items: TimelineItem[] = [];
  const unreadAfter = input.unreadAfter ?? 0;
  let unreadDrawn = unreadAfter <= 0;
  let lastDay = '';
  let previous: { authorId: string | null; at: Date; groupable: boolean } | null = null;
  for (const row of rows) {
    const day = dayKey(row.at);
    if (day !== lastDay) {
      lastDay = day;
      previous = null;
      items.push({ kind: 'day', key: `day-${day}`, label: dayLabel(row.at, input.now), iso: row.at.toISOString() });
    }
    if (!unreadDrawn && row.type === 'message' && row.message.seq > unreadAfter && row.message.authorId !== me) {
      unreadDrawn = true;
      items.push({ kind: 'unread', key: 'unread' });
      // The first unread message shows who wrote it, even after a message of theirs that was read.
      previous = null;
    }
    const authorId = row.type === 'message' ? row.message.authorId : me;
    const replyToId = row.type === 'message' ? row.message.replyToId : (row.intent.replyToId ?? null);
    const grouped =
      previous !== null &&
      previous.groupable &&
      previous.authorId === authorId &&
      replyToId === null &&
      row.at.getTime() - previous.at.getTime() < GROUP_WINDOW_MS;
    if (row.type === 'message') {
      const { message, saving } = applyOwnChanges(row.message, me, changesByMessage.get(row.message.id) ?? []);
      items.push({
        kind: 'message',
        key: message.id,
        message,
        saving,
        grouped,
        replyTo: replyRef(message.replyToId),
        mine: message.authorId === me,
      });
      previous = { authorId, at: row.at, groupable: message.type !== 'system' };
    } else {
      items.push({
        kind: 'pending',
        key: `pending-${row.id}`,
        intentId: row.id,
        intent: row.intent,
        status: row.status,
        reason: row.reason,
        retryable: row.retryable ?? true,
        grouped,
        replyTo: replyRef(row.intent.replyToId),
        lastOfRun: true,
        runLength: 1,
        ...(row.deferredFiles ? { deferredFiles: row.deferredFiles } : {}),
        ...(row.waiting ? { waiting: row.waiting } : {}),
      });
      // One status line per run of sends in the same state (sending, or held back by the same limit).
      const before = items[items.length - 2];
      if (
        before?.kind === 'pending' &&
        before.status === 'sending' &&
        row.status === 'sending' &&
        before.waiting?.reason === row.waiting?.reason
      ) {
        before.lastOfRun = false;
        (items[items.length - 1] as PendingItem).runLength = before.runLength + 1;
      }
      previous = { authorId, at: row.at, groupable: true };
    }
  }
  return { items, settled };
}

/**
 * Keeps item objects identical while nothing about them changed, so Solid's <For> re-renders only the
 * rows that did (a new reaction re-renders one message, not the room).
 */
export function createItemCache(): (items: TimelineItem[]) => TimelineItem[] {
  let cache = new Map<string, { signature: string; item: TimelineItem }>();
  return (items) => {
    const next = new Map<string, { signature: string; item: TimelineItem }>();
    const out = items.map((item) => {
      const signature = JSON.stringify(item);
      const cached = cache.get(item.key);
      const kept = cached && cached.signature === signature ? cached.item : item;
      next.set(item.key, { signature, item: kept });
      return kept;
    });
    cache = next;
    return out;
  };
}
