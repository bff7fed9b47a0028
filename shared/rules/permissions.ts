/**
 * Who may do what in a room, as one pure function. The server decides with it; the client calls the same
 * function to grey out a button and show the member the sentence the server would answer with.
 *
 * Decisions taken here (the spec is silent or loose on them):
 * - Global admins may do everything permissions govern, in every room and DM. They are still bound by what a room
 *   *is*: voice rooms have no text chat in v1, archived rooms are read-only (unarchive via `manage_room` first),
 *   "own message" actions need authorship, and nobody reports their own message or moderates themselves.
 * - Banned members can do nothing, not even read, so a ban also stops lurking; the replica purges the room.
 * - Muted members may read, report and delete their own messages (removing content never harms anyone, and
 *   reporting is a safety channel a harassed member may need); they may not post, reply, start threads, react,
 *   edit, pin or resolve. The refusal states the time left. A mute whose `mutedUntil` has passed is over, even if
 *   the stored role still says `muted`; a `muted` role with no end time lasts until a moderator lifts it.
 * - Writing of any kind needs a membership (join to post), as in Discord and Slack; non-members may preview a
 *   public room (`read` level `everyone`), report what they see there, and delete messages they wrote before
 *   leaving. Hence for writes the levels `everyone` and `member` coincide.
 * - A member whose automatic trust level is `trusted` counts as the `trusted` role (pinning, `trusted` permission
 *   levels), and a room role of `trusted` or above counts as trust level `trusted` (links, min trust level).
 * - Announcement rooms: only moderators and above post, reply or start threads; members react.
 * - Locked threads: moderators and above may still reply (to leave a closing note); others cannot reply, edit
 *   their messages there, or mark the thread resolved. Reactions stay open.
 * - Archived threads (auto-archived after inactivity) are not closed: a reply is allowed and revives the thread,
 *   as in Discord. Only locking closes a thread, so `ThreadTarget` carries no archived flag.
 * - Archived rooms refuse every change to content (post, reply, thread, react, edit, pin, lock, resolve) but
 *   still allow moderation (hide, delete, warn, mute, ban, review) and deleting one's own messages.
 * - DMs: callers pass participants as role `member` and non-participants as `null`. DMs have no moderators, so
 *   staff actions there are for global admins only, whatever role is passed; participants may pin.
 * - Warn/mute/ban need a strictly higher role than the subject's (when a subject is given), never oneself, and
 *   room staff cannot act on a global admin.
 * - `manage_room` (settings, slow mode, archive) is for the room's owner and admins, not moderators.
 * - Creating a Lounge topic room is the platform's decision (spec: "Admin-created topic rooms"), so only
 *   global admins may (`canCreateLoungeRoom`): there is no room yet whose roles could allow it.
 */
import {
  isStaffRole,
  meetsPermissionLevel,
  outranks,
  PERMISSION_LEVEL_NOUN,
  roleAtLeast,
  type PermissionLevel,
  type Role,
} from './roles.ts';
import { effectiveTrustLevel, TRUST_LEVEL_RANK, type TrustLevel } from './trust.ts';
import { LIMITS } from './limits.ts';
import { describeTimeLeft } from './time-left.ts';
import { unreachable } from './unreachable.ts';

export const ACTIONS = [
  'read',
  'post_message',
  'reply_in_thread',
  'create_thread',
  'react',
  'edit_own_message',
  'delete_own_message',
  'delete_any_message',
  'pin_message',
  'pin_thread',
  'hide_message',
  'lock_thread',
  'resolve_thread',
  'warn_member',
  'mute_member',
  'ban_member',
  'view_review_queue',
  'manage_room',
  'report_message',
  'post_link',
  'post_attachment',
] as const;
export type Action = (typeof ACTIONS)[number];

export const ROOM_TYPES = ['lounge', 'circle', 'project', 'dm'] as const;
export type RoomType = (typeof ROOM_TYPES)[number];
export const CONTEXT_TYPES = ['text', 'announcement', 'help', 'showcase', 'voice'] as const;
export type ContextType = (typeof CONTEXT_TYPES)[number];

/** Who is acting, as the server knows them (never as the client claims). */
export interface Actor {
  readonly userId: string;
  readonly isGlobalAdmin: boolean;
  /** The room membership's role; `null` when the user is not a member (for DMs: not a participant). */
  readonly role: Role | null;
  /** From `trustLevelOf` on the server's counters. */
  readonly trustLevel: TrustLevel;
  /** `room_memberships.muted_until`. */
  readonly mutedUntil: Date | null;
  /** The decision's clock; passed in so the function stays pure and testable. */
  readonly now: Date;
}

export interface RoomTarget {
  readonly roomType: RoomType;
  readonly contextType: ContextType;
  readonly isPrivate: boolean;
  readonly archived: boolean;
  readonly readPermissionLevel: PermissionLevel;
  readonly writePermissionLevel: PermissionLevel;
  readonly minTrustLevel: TrustLevel;
}

export interface ThreadTarget {
  /** `null` when the creator's account is gone: then only staff can resolve it. */
  readonly creatorId: string | null;
  readonly isLocked: boolean;
}

export interface MessageTarget {
  /** `null` for system messages and anonymized authors: nobody owns them. */
  readonly authorId: string | null;
}

/** The member a warn/mute/ban would act on. */
export interface MemberTarget {
  readonly userId: string;
  readonly role: Role | null;
  readonly isGlobalAdmin: boolean;
}

export interface Target {
  readonly room: RoomTarget;
  /** The thread acted on or posted in; without it, posting actions mean the room's main chat. */
  readonly thread?: ThreadTarget;
  readonly message?: MessageTarget;
  /** For warn/mute/ban; without it only the actor's own standing is checked (e.g. to show a menu item). */
  readonly subject?: MemberTarget;
}

/** What each action cannot be decided without, so a missing piece is a compile error rather than a refusal. */
export type TargetFor<A extends Action> = A extends 'reply_in_thread' | 'lock_thread' | 'pin_thread' | 'resolve_thread'
  ? Target & { readonly thread: ThreadTarget }
  : A extends 'edit_own_message' | 'delete_own_message' | 'report_message'
    ? Target & { readonly message: MessageTarget }
    : Target;

/** The room shape of a DM conversation (DMs live in `dm_threads`, not `rooms`). */
export const DM_ROOM_TARGET: RoomTarget = {
  roomType: 'dm',
  contextType: 'text',
  isPrivate: true,
  archived: false,
  readPermissionLevel: 'everyone',
  writePermissionLevel: 'everyone',
  minTrustLevel: 'new',
};

/** Stable machine codes (the server maps them to HTTP statuses and the client to icons); `reason` is for people. */
export type RefusalCode =
  | 'banned'
  | 'private_room'
  | 'not_member'
  | 'read_level'
  | 'write_level'
  | 'trust_level'
  | 'new_user_restricted'
  | 'muted'
  | 'announcement_only'
  | 'voice_room'
  | 'archived'
  | 'thread_locked'
  | 'dm_no_threads'
  | 'dm_no_moderation'
  | 'not_author'
  | 'own_message'
  | 'not_trusted'
  | 'not_moderator'
  | 'not_room_admin'
  | 'not_global_admin'
  | 'not_thread_creator'
  | 'self_target'
  | 'outranked'
  | 'invalid_target';

export type Decision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly code: RefusalCode;
      /** One sentence a member reads, e.g. "Only moderators can post in announcement rooms." */
      readonly reason: string;
      /** When the refusal lifts by itself (a timed mute), so a client can count down. */
      readonly until?: Date;
    };

const ALLOW: Decision = { allowed: true };

function refuse(code: RefusalCode, reason: string, until?: Date): Decision {
  return until === undefined ? { allowed: false, code, reason } : { allowed: false, code, reason, until };
}

export function can<A extends Action>(actor: Actor, action: A, target: TargetFor<A>): Decision;
export function can(actor: Actor, action: Action, target: Target): Decision {
  const { room } = target;
  // A global admin's own membership row (even a ban) does not limit them: they are the platform's last resort.
  if (!actor.isGlobalAdmin && actor.role === 'banned') return refuse('banned', 'You are banned from this room.');

  // Every other action presupposes seeing the room.
  const read = readGate(actor, room);
  if (!read.allowed) return read;

  switch (action) {
    case 'read':
      return ALLOW;
    case 'post_message':
      return postingGate(actor, room, undefined, 'post');
    case 'reply_in_thread':
      if (!target.thread) return missing('thread');
      return postingGate(actor, room, target.thread, 'reply');
    case 'create_thread':
      if (room.roomType === 'dm') return refuse('dm_no_threads', "Direct messages don't have threads.");
      return postingGate(actor, room, undefined, 'start threads');
    case 'post_link':
      return trustedContentGate(actor, target, 'share links');
    case 'post_attachment':
      return trustedContentGate(actor, target, 'share images and files');
    case 'react':
      return participationGate(actor, room, 'react');
    case 'edit_own_message': {
      if (!target.message) return missing('message');
      if (target.message.authorId !== actor.userId) {
        return refuse('not_author', 'You can only edit your own messages.');
      }
      return postingGate(actor, room, target.thread, 'edit messages');
    }
    case 'delete_own_message':
      if (!target.message) return missing('message');
      if (target.message.authorId !== actor.userId) {
        return refuse('not_author', 'You can only delete your own messages.');
      }
      return ALLOW;
    case 'report_message':
      if (!target.message) return missing('message');
      if (target.message.authorId === actor.userId) return refuse('own_message', "You can't report your own message.");
      return ALLOW;
    case 'pin_message': {
      const gate = participationGate(actor, room, 'pin messages');
      if (!gate.allowed || actor.isGlobalAdmin || room.roomType === 'dm') return gate;
      if (roleAtLeast(standingRole(actor), 'trusted')) return ALLOW;
      return refuse('not_trusted', 'Only trusted members and moderators can pin messages.');
    }
    case 'resolve_thread': {
      if (!target.thread) return missing('thread');
      const gate = participationGate(actor, room, 'resolve threads');
      if (!gate.allowed || actor.isGlobalAdmin || isStaffRole(standingRole(actor))) return gate;
      if (target.thread.creatorId !== actor.userId) {
        return refuse(
          'not_thread_creator',
          'Only the person who started this thread or a moderator can mark it resolved.',
        );
      }
      if (target.thread.isLocked) {
        return refuse('thread_locked', 'This thread is locked, so only moderators can mark it resolved.');
      }
      return ALLOW;
    }
    case 'pin_thread':
      if (!target.thread) return missing('thread');
      if (room.archived) return archivedRefusal();
      return staffGate(actor, room, 'moderator', 'pin threads');
    case 'lock_thread':
      if (!target.thread) return missing('thread');
      if (room.archived) return archivedRefusal();
      return staffGate(actor, room, 'moderator', 'lock threads');
    case 'delete_any_message':
      return staffGate(actor, room, 'moderator', "delete other people's messages");
    case 'hide_message':
      return staffGate(actor, room, 'moderator', 'hide messages');
    case 'view_review_queue':
      return staffGate(actor, room, 'moderator', 'see the review queue');
    case 'warn_member':
      return memberActionGate(actor, room, target.subject, 'warn');
    case 'mute_member':
      return memberActionGate(actor, room, target.subject, 'mute');
    case 'ban_member':
      return memberActionGate(actor, room, target.subject, 'ban');
    case 'manage_room':
      return staffGate(actor, room, 'admin', 'change its settings');
    default:
      return unreachable(action);
  }
}

/**
 * Whether the actor may create a topic room in The Lounge: global admins only. Apart from `can()` because it
 * has no room to decide on; the server refuses with the same sentence the client shows.
 */
export function canCreateLoungeRoom(actor: Pick<Actor, 'isGlobalAdmin'>): Decision {
  if (actor.isGlobalAdmin) return ALLOW;
  return refuse('not_global_admin', 'Only platform admins can create rooms in The Lounge.');
}

/**
 * The role that counts for levels and privileges: an expired mute is plain membership again, and a member whose
 * counters reached `trusted` stands as the `trusted` role. A current mute keeps member standing for reading;
 * what it forbids is checked separately by `muteRefusal`.
 */
function standingRole(actor: Actor): Role | null {
  const { role } = actor;
  if (role === 'muted' || role === 'member') return actor.trustLevel === 'trusted' ? 'trusted' : 'member';
  return role;
}

function muteRefusal(actor: Actor): Decision | null {
  const { mutedUntil, now } = actor;
  if (mutedUntil !== null) {
    const leftMs = mutedUntil.getTime() - now.getTime();
    if (leftMs <= 0) return null;
    return refuse('muted', `You are muted in this room for ${describeTimeLeft(leftMs)}.`, mutedUntil);
  }
  if (actor.role === 'muted') return refuse('muted', 'You are muted in this room until a moderator unmutes you.');
  return null;
}

function readGate(actor: Actor, room: RoomTarget): Decision {
  if (actor.isGlobalAdmin) return ALLOW;
  const role = standingRole(actor);
  if (room.roomType === 'dm' && role === null) return refuse('private_room', 'This conversation is private.');
  if (room.isPrivate && role === null) {
    return refuse('private_room', 'This room is private: only its members can read it.');
  }
  if (meetsPermissionLevel(role, room.readPermissionLevel)) return ALLOW;
  if (role === null) return refuse('not_member', 'Join this room to read it.');
  return refuse('read_level', `Only ${levelNoun(room.readPermissionLevel)} can read this room.`);
}

function archivedRefusal(): Decision {
  return refuse('archived', 'This room is archived: it can be read but no longer changed.');
}

/** Taking part at all: the room is live, the actor is a member, and not muted. */
function participationGate(actor: Actor, room: RoomTarget, verb: string): Decision {
  if (room.archived) return archivedRefusal();
  if (actor.isGlobalAdmin) return ALLOW;
  if (standingRole(actor) === null) return refuse('not_member', `Join this room to ${verb}.`);
  return muteRefusal(actor) ?? ALLOW;
}

/** Adding words to a room or thread: participation, then what the room and thread allow. */
function postingGate(actor: Actor, room: RoomTarget, thread: ThreadTarget | undefined, verb: string): Decision {
  if (room.contextType === 'voice') return refuse('voice_room', "Voice rooms don't have text chat yet.");
  const gate = participationGate(actor, room, verb);
  if (!gate.allowed || actor.isGlobalAdmin) return gate;

  const role = standingRole(actor);
  const staff = isStaffRole(role);
  if (room.contextType === 'announcement' && !staff) {
    return refuse('announcement_only', `Only moderators can ${verb} in announcement rooms.`);
  }
  if (!meetsPermissionLevel(role, room.writePermissionLevel)) {
    return refuse('write_level', `Only ${levelNoun(room.writePermissionLevel)} can ${verb} in this room.`);
  }
  const trust = effectiveTrustLevel(actor.trustLevel, role);
  if (!staff && TRUST_LEVEL_RANK[trust] < TRUST_LEVEL_RANK[room.minTrustLevel]) {
    return refuse('trust_level', `You can ${verb} in this room ${unlockPhrase(room.minTrustLevel)}.`);
  }
  if (thread?.isLocked && !staff) {
    return refuse('thread_locked', `This thread is locked, so only moderators can ${verb} in it.`);
  }
  return ALLOW;
}

/** Links and images: posting rights, plus the spec's rule that `new` members cannot post them. */
function trustedContentGate(actor: Actor, target: Target, verb: string): Decision {
  const gate = postingGate(actor, target.room, target.thread, verb);
  if (!gate.allowed || actor.isGlobalAdmin) return gate;
  if (effectiveTrustLevel(actor.trustLevel, standingRole(actor)) === 'new') {
    return refuse('new_user_restricted', `You can ${verb} ${unlockPhrase('member')}.`);
  }
  return ALLOW;
}

/** Actions reserved to room staff (`min` = moderator) or to the room's admins (`min` = admin). */
function staffGate(actor: Actor, room: RoomTarget, min: 'moderator' | 'admin', verb: string): Decision {
  if (actor.isGlobalAdmin) return ALLOW;
  if (room.roomType === 'dm') {
    return min === 'admin'
      ? refuse('dm_no_moderation', 'Direct messages have no room settings to change.')
      : refuse('dm_no_moderation', 'Direct messages have no moderators: report the message or block the person.');
  }
  if (roleAtLeast(standingRole(actor), min)) return ALLOW;
  return min === 'admin'
    ? refuse('not_room_admin', `Only the room's owner and admins can ${verb}.`)
    : refuse('not_moderator', `Only moderators can ${verb}.`);
}

function memberActionGate(
  actor: Actor,
  room: RoomTarget,
  subject: MemberTarget | undefined,
  verb: 'warn' | 'mute' | 'ban',
): Decision {
  if (subject?.userId === actor.userId) return refuse('self_target', `You can't ${verb} yourself.`);
  const gate = staffGate(actor, room, 'moderator', `${verb} members`);
  if (!gate.allowed || actor.isGlobalAdmin || subject === undefined) return gate;
  const role = standingRole(actor);
  if (subject.isGlobalAdmin || role === null || !outranks(role, subject.role)) {
    return refuse('outranked', `You can't ${verb} someone whose role is equal to or above yours.`);
  }
  return ALLOW;
}

function levelNoun(level: PermissionLevel): string {
  return level === 'everyone' ? 'members' : PERMISSION_LEVEL_NOUN[level];
}

export function unlockPhrase(level: TrustLevel): string {
  const t = level === 'trusted' ? LIMITS.trust.trusted : LIMITS.trust.member;
  return `once you have sent ${t.minMessages} messages and been in the community for ${t.minDays} days`;
}

/** A caller bug (the types require these), answered in words rather than a crash, since input may be untyped. */
function missing(what: 'thread' | 'message'): Decision {
  return refuse('invalid_target', `That can't be done here: it needs a ${what}.`);
}
