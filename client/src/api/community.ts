import type { MessageView } from '../../../shared/sync/channel-doc.ts';
import type { PermissionLevel, Role } from '../../../shared/rules/roles.ts';
import type { TrustLevel } from '../../../shared/rules/trust.ts';
import { apiRequest } from './http.ts';
import type { Room, RoomContextType } from './types.ts';

/** Shapes of the community read side (threads, history, search, members, settings, moderation). */

export interface PublicUser {
  id: string;
  handle: string | null;
  displayName: string;
  avatarUrl: string | null;
  deleted: boolean;
}

export interface ThreadSummary {
  id: string;
  roomId: string;
  title: string;
  parentMessageId: string | null;
  locked: boolean;
  pinned: boolean;
  resolved: boolean;
  archived: boolean;
  messageCount: number;
  lastMessageAt: string | null;
  createdAt: string;
  creator: PublicUser | null;
}

export interface HistoryMessage {
  id: string;
  channelId: string;
  seq: number;
  authorId: string | null;
  body: string;
  type: MessageView['type'];
  replyToId: string | null;
  edited: boolean;
  hidden: boolean;
  hiddenReason: string | null;
  deleted: boolean;
  pinned: boolean;
  createdAt: string;
  // Answered by this server since its history pages show what docs show; absent from an older server's.
  editedAt?: string | null;
  mentions?: string[];
  reactions?: Record<string, string[]>;
  threadId?: string | null;
  threadReplies?: number;
  threadLastReplyAt?: string | null;
  attachments?: MessageView['attachments'];
  linkPreview?: MessageView['linkPreview'];
}

export interface RoomMember {
  user: PublicUser;
  role: Role;
  joinedAt: string;
  online: boolean;
  typing: boolean;
}

export interface SearchHit {
  messageId: string;
  channelId: string;
  channelKind: 'room' | 'thread' | 'dm';
  roomId: string | null;
  threadId: string | null;
  seq: number;
  authorId: string | null;
  createdAt: string;
  rank: number;
  fragments: Array<{ text: string; highlights: Array<{ start: number; end: number }> }>;
  /** The names of the message's files: a hit may be by one of them. */
  files: string[];
}

export type DmPermission = 'everyone' | 'connections' | 'following' | 'none';

export interface MySettings {
  dmPermission: DmPermission;
  notifyPush: boolean;
  notifyEmailMentions: boolean;
  emailDigest: 'off' | 'daily' | 'weekly';
  smsCritical: boolean;
  phoneE164: string | null;
  askMeEnabled: boolean;
  /** What the server can deliver outside the app (read-only; see the settings route). */
  delivery?: { email: 'on' | 'no_address' | 'off'; sms: 'on' | 'off'; push: 'on' | 'off' };
}

export interface ModerationStatus {
  layer1: 'on';
  layer2: 'on' | 'off';
  message: string;
}

export type ReviewAction = 'approve' | 'hide' | 'delete' | 'warn' | 'mute' | 'ban' | 'escalate';

/** Where a flagged or moderated message is, and the app's address that opens it there (the server's answer). */
export interface MessagePlace {
  channelKind: 'room' | 'thread' | 'dm';
  roomSlug: string | null;
  roomType: 'lounge' | 'circle' | 'project' | 'dm' | null;
  threadId: string | null;
  /** Opens its conversation at the message; null where this member cannot open it (a DM they are not in). */
  path: string | null;
  /** false: the address opens where its thread starts (a project room's thread has no address of its own). */
  opensAtMessage: boolean;
}

export interface ReviewItem {
  id: string;
  roomId: string | null;
  /** The room's name (null for a direct message; absent from an older server's answers). */
  roomName?: string | null;
  /** Where the message is (absent from an older server's answers). */
  place?: MessagePlace | null;
  source: 'ai' | 'community' | 'admin' | 'system';
  status: 'pending' | 'approved' | 'hidden' | 'deleted' | 'escalated';
  reason: string;
  aiCategories: Record<string, number>;
  aiMaxScore: number | null;
  reportCount: number;
  escalated: boolean;
  createdAt: string;
  message: {
    id: string;
    channelId: string;
    seq: number;
    authorId: string | null;
    /** null when there is no author, or their account was deleted. */
    authorHandle: string | null;
    /** The author deleted their account ("Deleted user"). */
    authorDeleted?: boolean;
    /** The words as they read now. */
    body: string;
    /** The words when the item was raised (first report or flag), when edited since; null when not. */
    bodyWhenFlagged?: string | null;
    /** When the author last edited it (null: never). */
    editedAt?: string | null;
    hidden: boolean;
    hiddenReason: string | null;
    deleted: boolean;
    createdAt: string;
    attachments?: MessageView['attachments'];
  };
  context: Array<{ seq: number; authorHandle: string | null; authorDeleted?: boolean; body: string }>;
  reports: Array<{ reason: string; details: string; createdAt: string }>;
  /** Why a room moderator sent it to the admins, and who. */
  escalation?: { reason: string; byHandle: string | null; byDeleted?: boolean } | null;
}

/** A room the member moderates (every room for a global admin). */
export interface ModeratedRoom {
  id: string;
  name: string;
  slug: string;
  roomType: string;
  archived: boolean;
}

export const fetchRestrictedMembers = (token: string) =>
  apiRequest<{
    entries: Array<{
      room: { id: string; name: string; emoji: string };
      member: { user: PublicUser; role: 'muted' | 'banned' };
    }>;
  }>('/api/moderation/restricted', { token });

export const fetchModeratedRooms = (token: string) =>
  apiRequest<{ rooms: ModeratedRoom[] }>('/api/moderation/rooms', { token });

const enc = encodeURIComponent;

/** Threads a page of the room's thread list holds. */
export const THREAD_PAGE_SIZE = 50;

/**
 * One page of a room's threads (pinned first, then most recently active); the first page (no cursor) also
 * says how many threads the room has.
 */
export const fetchThreads = (token: string, roomId: string, cursor?: string | null) => {
  const query = new URLSearchParams({ limit: String(THREAD_PAGE_SIZE) });
  if (cursor) query.set('cursor', cursor);
  return apiRequest<{ threads: ThreadSummary[]; nextCursor: string | null; total?: number }>(
    `/api/rooms/${enc(roomId)}/threads?${query.toString()}`,
    { token },
  );
};

export const fetchChannelPage = (token: string, channelId: string, before?: string | null, limit = 100) => {
  const query = new URLSearchParams({ limit: String(limit) });
  if (before) query.set('before', before);
  return apiRequest<{ messages: HistoryMessage[]; olderCursor: string | null; newerCursor: string | null }>(
    `/api/channels/${enc(channelId)}/messages?${query.toString()}`,
    { token },
  );
};

export const fetchAround = (token: string, channelId: string, messageId: string, limit = 40) =>
  apiRequest<{
    messages: HistoryMessage[];
    olderCursor: string | null;
    newerCursor: string | null;
    targetId: string;
    targetSeq: number;
  }>(`/api/channels/${enc(channelId)}/messages/around/${enc(messageId)}?limit=${limit}`, { token });

export const fetchMembers = (token: string, roomId: string) =>
  apiRequest<{ members: RoomMember[]; onlineCount: number; nextCursor: string | null }>(
    `/api/rooms/${enc(roomId)}/members?limit=100`,
    { token },
  );

/** One page of a room's members (staff first; staff also see muted and banned members as such). */
export const fetchMembersPage = (token: string, roomId: string, cursor: string | null) => {
  const query = new URLSearchParams({ limit: '100' });
  if (cursor) query.set('cursor', cursor);
  return apiRequest<{ members: RoomMember[]; onlineCount: number; nextCursor: string | null }>(
    `/api/rooms/${enc(roomId)}/members?${query.toString()}`,
    { token },
  );
};

/** The member's own standing in a room: role, trust, mute, and the server's can() answers for menus. */
export interface MyStanding {
  role: Role | null;
  implicitMember: boolean;
  trustLevel: TrustLevel;
  mutedUntil: string | null;
  isGlobalAdmin: boolean;
  can: Record<string, { allowed: boolean; code?: string; reason?: string }>;
}

export const fetchMyStanding = (token: string, roomId: string) =>
  apiRequest<MyStanding>(`/api/rooms/${enc(roomId)}/me`, { token });

export const fetchUsers = (token: string, ids: string[]) =>
  apiRequest<{ users: PublicUser[] }>(`/api/users?ids=${ids.map(enc).join(',')}`, { token });

/** Members whose handle or name starts with `q` (at most 10): "New message" reaches anyone, not only those seen. */
export const searchMembers = (token: string, q: string) =>
  apiRequest<{ users: PublicUser[] }>(`/api/users/search?q=${enc(q)}`, { token });

export const searchMessages = (token: string, q: string, options: { roomId?: string; cursor?: string } = {}) => {
  const query = new URLSearchParams({ q, limit: '30' });
  if (options.roomId) query.set('roomId', options.roomId);
  if (options.cursor) query.set('cursor', options.cursor);
  return apiRequest<{ results: SearchHit[]; nextCursor: string | null }>(`/api/search?${query.toString()}`, { token });
};

export const fetchSettings = (token: string) => apiRequest<MySettings>('/api/me/settings', { token });
export const patchSettings = (token: string, patch: Partial<MySettings>) =>
  apiRequest<MySettings>('/api/me/settings', { method: 'PATCH', token, body: patch });

/** Block or mute (on), or lift it (off). The server writes the inbox doc's `blocked`/`muted` maps. */
export async function setRelation(token: string, kind: 'blocks' | 'mutes', userId: string, on: boolean) {
  await apiRequest<unknown>(`/api/me/${kind}/${enc(userId)}`, { method: on ? 'PUT' : 'DELETE', token }).catch((err) => {
    // 204 has no body: the request layer reads it as an unreadable answer, which is a success here.
    if (err instanceof Error && 'code' in err && (err as { code: string }).code === 'bad_response') return;
    throw err;
  });
}

export const fetchModerationStatus = (token: string) =>
  apiRequest<ModerationStatus>('/api/moderation/status', { token });

/** How many review items wait for this moderator (global admins: pending everywhere and escalated), up to 100. */
export const fetchReviewWaiting = (token: string) =>
  apiRequest<{ waiting: number }>('/api/moderation/waiting', { token });

/** Waiting for a room's moderators, or (global admins only) escalated to the admins. */
export const fetchReviewQueue = (token: string, status: 'pending' | 'escalated' = 'pending') =>
  apiRequest<{ items: ReviewItem[]; nextCursor: string | null }>(`/api/moderation/queue?status=${status}&limit=50`, {
    token,
  });

export const decideReviewItem = (
  token: string,
  itemId: string,
  body: { action: ReviewAction; reason?: string; durationMinutes?: number },
) =>
  apiRequest<{ status: ReviewItem['status'] }>(`/api/moderation/queue/${enc(itemId)}/actions`, {
    method: 'POST',
    token,
    body,
  });

export function fromHistory(m: HistoryMessage): MessageView {
  return {
    ...m,
    threadId: m.threadId ?? null,
    mentions: m.mentions ?? [],
    editedAt: m.editedAt ?? null,
    reactions: m.reactions ?? {},
    threadReplies: m.threadReplies ?? 0,
    threadLastReplyAt: m.threadLastReplyAt ?? null,
    attachments: m.attachments ?? [],
    linkPreview: m.linkPreview ?? null,
  };
}

/** A room's settings as its owners and admins change them (PATCH /api/rooms/:id). */
export interface RoomSettingsPatch {
  name?: string;
  description?: string;
  emoji?: string;
  contextType?: RoomContextType;
  autoThread?: boolean;
  slowModeSeconds?: number;
  archived?: boolean;
  readPermissionLevel?: PermissionLevel;
  writePermissionLevel?: PermissionLevel;
  minTrustLevel?: TrustLevel;
}

/** A new Lounge topic room as a platform admin describes it (POST /api/admin/rooms). */
export interface NewRoom {
  name: string;
  /** The room's address: /lounge/<slug>. */
  slug: string;
  emoji: string;
  description: string;
  contextType: RoomContextType;
}

/** The server's answer: the room's settings (no counts yet: nobody has been in it). */
export type CreatedRoom = Pick<
  Room,
  | 'id'
  | 'slug'
  | 'name'
  | 'description'
  | 'emoji'
  | 'contextType'
  | 'autoThread'
  | 'position'
  | 'slowModeSeconds'
  | 'archived'
  | 'readPermissionLevel'
  | 'writePermissionLevel'
  | 'minTrustLevel'
>;

/** Auto-thread is left to the server, which turns it on for help rooms. */
export const createLoungeRoom = (token: string, room: NewRoom) =>
  apiRequest<{ room: CreatedRoom }>('/api/admin/rooms', { method: 'POST', token, body: room });

export const updateRoomSettings = (token: string, roomId: string, patch: RoomSettingsPatch) =>
  apiRequest<{
    room: Required<RoomSettingsPatch> & { id: string; slug: string };
  }>(`/api/rooms/${enc(roomId)}`, { method: 'PATCH', token, body: patch });

/** One entry of a room's moderation log (who did what to whom, and why). */
export interface ModerationLogEntry {
  id: string;
  action: string;
  source: string;
  reason: string;
  actorHandle: string | null;
  /** The acting moderator deleted their account ("Deleted user"). */
  actorDeleted?: boolean;
  targetHandle: string | null;
  /** The member acted on deleted their account ("Deleted user"). */
  targetDeleted?: boolean;
  messageId: string | null;
  /** Where the message acted on is (null: no message; absent from an older server's answers). */
  place?: MessagePlace | null;
  expiresAt: string | null;
  createdAt: string;
}

export const fetchModerationLog = (token: string, roomId: string) =>
  apiRequest<{ entries: ModerationLogEntry[]; nextCursor: string | null }>(
    `/api/rooms/${enc(roomId)}/moderation-log?limit=50`,
    { token },
  );

/** Roles a room's owner or admin can hand out (mutes and bans go through moderation). */
export type GrantableRole = 'admin' | 'moderator' | 'trusted' | 'member';

export const grantRole = (token: string, roomId: string, userId: string, role: GrantableRole) =>
  apiRequest<{ role: GrantableRole }>(`/api/rooms/${enc(roomId)}/members/${enc(userId)}/role`, {
    method: 'PUT',
    token,
    body: { role },
  });
