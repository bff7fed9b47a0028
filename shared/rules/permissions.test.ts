import { describe, it, expect } from 'vitest';
import {
  ACTIONS,
  can,
  canCreateLoungeRoom,
  DM_ROOM_TARGET,
  type Action,
  type Actor,
  type Decision,
  type RefusalCode,
  type RoomTarget,
  type Target,
  type ThreadTarget,
} from './permissions.ts';
import { LIMITS } from './limits.ts';

const NOW = new Date('2025-06-01T12:00:00Z');
const ME = 'me';
const OTHER = 'someone-else';
const minutes = (n: number): Date => new Date(NOW.getTime() + n * 60_000);

const PUBLIC_TEXT: RoomTarget = {
  roomType: 'lounge',
  contextType: 'text',
  isPrivate: false,
  archived: false,
  readPermissionLevel: 'everyone',
  writePermissionLevel: 'everyone',
  minTrustLevel: 'new',
};
const OPEN_THREAD: ThreadTarget = { creatorId: OTHER, isLocked: false };

function actor(overrides: Partial<Actor> = {}): Actor {
  return {
    userId: ME,
    isGlobalAdmin: false,
    role: 'member',
    trustLevel: 'member',
    mutedUntil: null,
    now: NOW,
    ...overrides,
  };
}

/** The one target each action is judged against in the table: own message for "own" actions, else someone else's. */
function tableTarget(action: Action, room: RoomTarget = PUBLIC_TEXT): Required<Target> {
  const ownAction = action === 'edit_own_message' || action === 'delete_own_message';
  return {
    room,
    thread: OPEN_THREAD,
    message: { authorId: ownAction ? ME : OTHER },
    subject: { userId: OTHER, role: 'member', isGlobalAdmin: false },
  };
}

function refusal(decision: Decision): { code: RefusalCode; reason: string; until?: Date } {
  if (decision.allowed) throw new Error('expected a refusal, got allowed');
  return decision;
}

// ---------------------------------------------------------------------------------------------------------------
// The authorization table for a public text room. Written out by hand: Y = allowed, N = refused (with the code
// given below the grid). It is the product decision itself, not derived from the implementation.
// ---------------------------------------------------------------------------------------------------------------

const COLUMNS = {
  read: 'read',
  post: 'post_message',
  reply: 'reply_in_thread',
  thread: 'create_thread',
  react: 'react',
  edit: 'edit_own_message',
  delOwn: 'delete_own_message',
  delAny: 'delete_any_message',
  pin: 'pin_message',
  pinThr: 'pin_thread',
  hide: 'hide_message',
  lock: 'lock_thread',
  resolve: 'resolve_thread',
  warn: 'warn_member',
  mute: 'mute_member',
  ban: 'ban_member',
  queue: 'view_review_queue',
  manage: 'manage_room',
  report: 'report_message',
  link: 'post_link',
  attach: 'post_attachment',
} as const satisfies Record<string, Action>;
type Column = keyof typeof COLUMNS;

const GRID = `
              read post reply thread react edit delOwn delAny pin pinThr hide lock resolve warn mute ban queue manage report link attach
owner           Y    Y    Y     Y     Y     Y     Y      Y     Y    Y     Y    Y     Y      Y    Y    Y    Y     Y      Y     Y    Y
admin           Y    Y    Y     Y     Y     Y     Y      Y     Y    Y     Y    Y     Y      Y    Y    Y    Y     Y      Y     Y    Y
moderator       Y    Y    Y     Y     Y     Y     Y      Y     Y    Y     Y    Y     Y      Y    Y    Y    Y     N      Y     Y    Y
trusted         Y    Y    Y     Y     Y     Y     Y      N     Y    N     N    N     N      N    N    N    N     N      Y     Y    Y
member          Y    Y    Y     Y     Y     Y     Y      N     N    N     N    N     N      N    N    N    N     N      Y     Y    Y
new-member      Y    Y    Y     Y     Y     Y     Y      N     N    N     N    N     N      N    N    N    N     N      Y     N    N
muted           Y    N    N     N     N     N     Y      N     N    N     N    N     N      N    N    N    N     N      Y     N    N
banned          N    N    N     N     N     N     N      N     N    N     N    N     N      N    N    N    N     N      N     N    N
non-member      Y    N    N     N     N     N     Y      N     N    N     N    N     N      N    N    N    N     N      Y     N    N
global-admin    Y    Y    Y     Y     Y     Y     Y      Y     Y    Y     Y    Y     Y      Y    Y    Y    Y     Y      Y     Y    Y
`;

/** Who each row is. Everyone has trust level `member` unless the row is about trust. */
const ROWS: Record<string, Actor> = {
  owner: actor({ role: 'owner' }),
  admin: actor({ role: 'admin' }),
  moderator: actor({ role: 'moderator' }),
  trusted: actor({ role: 'trusted' }),
  member: actor({ role: 'member' }),
  'new-member': actor({ role: 'member', trustLevel: 'new' }),
  muted: actor({ role: 'muted', mutedUntil: minutes(30) }),
  banned: actor({ role: 'banned' }),
  'non-member': actor({ role: null }),
  'global-admin': actor({ role: null, isGlobalAdmin: true }),
};

const STAFF_ONLY = {
  delAny: 'not_moderator',
  pinThr: 'not_moderator',
  hide: 'not_moderator',
  lock: 'not_moderator',
  warn: 'not_moderator',
  mute: 'not_moderator',
  ban: 'not_moderator',
  queue: 'not_moderator',
  manage: 'not_room_admin',
} as const satisfies Partial<Record<Column, RefusalCode>>;

/** The refusal code of every N cell: `otherwise` for the row, unless the column is named. */
const CODES: Record<string, Partial<Record<Column, RefusalCode>> & { otherwise?: RefusalCode }> = {
  moderator: { manage: 'not_room_admin' },
  trusted: { ...STAFF_ONLY, resolve: 'not_thread_creator' },
  member: { ...STAFF_ONLY, resolve: 'not_thread_creator', pin: 'not_trusted' },
  'new-member': {
    ...STAFF_ONLY,
    resolve: 'not_thread_creator',
    pin: 'not_trusted',
    link: 'new_user_restricted',
    attach: 'new_user_restricted',
  },
  muted: { ...STAFF_ONLY, otherwise: 'muted' },
  banned: { otherwise: 'banned' },
  'non-member': { ...STAFF_ONLY, otherwise: 'not_member' },
};

function parseGrid(): { row: string; action: Action; column: Column; allowed: boolean }[] {
  const [header, ...lines] = GRID.trim().split('\n');
  const columns = (header ?? '').trim().split(/\s+/) as Column[];
  return lines.flatMap((line) => {
    const [row, ...cells] = line.trim().split(/\s+/);
    if (row === undefined || cells.length !== columns.length) throw new Error(`malformed grid row: ${line}`);
    return cells.map((cell, i) => {
      const column = columns[i] as Column;
      return { row, column, action: COLUMNS[column], allowed: cell === 'Y' };
    });
  });
}
const CELLS = parseGrid();

describe('authorization table: every role × every action in a public text room', () => {
  it('covers every action exactly once and every row', () => {
    const header = GRID.trim().split('\n')[0]?.trim().split(/\s+/) ?? [];
    expect(header.map((c) => COLUMNS[c as Column]).sort()).toEqual([...ACTIONS].sort());
    expect(new Set(ACTIONS).size).toBe(ACTIONS.length);
    expect(new Set(CELLS.map((c) => c.row))).toEqual(new Set(Object.keys(ROWS)));
  });

  it.each(CELLS)('$row $action → $allowed', ({ row, action, column, allowed }) => {
    const who = ROWS[row];
    if (!who) throw new Error(`no actor for row ${row}`);
    const decision = can(who, action, tableTarget(action));
    expect(decision.allowed).toBe(allowed);
    const codes = CODES[row] ?? {};
    if (allowed) {
      expect(codes[column], 'a code is listed for an allowed cell').toBeUndefined();
    } else {
      expect(refusal(decision).code).toBe(codes[column] ?? codes.otherwise);
    }
  });

  it('gives every refusal a sentence a member can read', () => {
    for (const { row, action } of CELLS) {
      const who = ROWS[row];
      if (!who) continue;
      const decision = can(who, action, tableTarget(action));
      if (decision.allowed) continue;
      expectReadable(decision.reason);
    }
  });
});

function expectReadable(reason: string): void {
  expect(reason.trim().length).toBeGreaterThan(10);
  expect(reason).toMatch(/^[A-Z].*[.]$/);
  expect(reason).not.toMatch(/undefined|null|NaN|\$\{|_/);
  expect(reason.length).toBeLessThanOrEqual(LIMITS.text.refusalReasonMaxChars);
}

describe('announcement rooms', () => {
  const room: RoomTarget = { ...PUBLIC_TEXT, contextType: 'announcement' };

  it('lets only moderators and above post, reply or start threads', () => {
    for (const action of ['post_message', 'reply_in_thread', 'create_thread', 'post_link'] as const) {
      for (const role of ['member', 'trusted'] as const) {
        const d = refusal(can(actor({ role }), action, tableTarget(action, room)));
        expect(d.code).toBe('announcement_only');
        expectReadable(d.reason);
      }
      for (const role of ['moderator', 'admin', 'owner'] as const) {
        expect(can(actor({ role }), action, tableTarget(action, room)).allowed).toBe(true);
      }
      expect(can(actor({ role: null, isGlobalAdmin: true }), action, tableTarget(action, room)).allowed).toBe(true);
    }
    expect(refusal(can(actor(), 'post_message', { room })).reason).toBe(
      'Only moderators can post in announcement rooms.',
    );
  });

  it('lets members react and report', () => {
    expect(can(actor(), 'react', { room }).allowed).toBe(true);
    expect(can(actor({ trustLevel: 'new' }), 'react', { room }).allowed).toBe(true);
    expect(can(actor(), 'report_message', { room, message: { authorId: OTHER } }).allowed).toBe(true);
  });

  it('does not let a muted member react there either', () => {
    expect(refusal(can(actor({ role: 'muted' }), 'react', { room })).code).toBe('muted');
  });
});

describe('private rooms and DMs', () => {
  const circle: RoomTarget = { ...PUBLIC_TEXT, roomType: 'circle', isPrivate: true };

  it('are readable only by members', () => {
    const d = refusal(can(actor({ role: null }), 'read', { room: circle }));
    expect(d.code).toBe('private_room');
    expectReadable(d.reason);
    expect(can(actor({ role: 'member' }), 'read', { room: circle }).allowed).toBe(true);
    expect(can(actor({ role: 'muted' }), 'read', { room: circle }).allowed).toBe(true);
    expect(can(actor({ role: null, isGlobalAdmin: true }), 'read', { room: circle }).allowed).toBe(true);
  });

  it('refuse non-members everything, even reporting or deleting what they once wrote', () => {
    for (const action of ACTIONS) {
      expect(refusal(can(actor({ role: null }), action, tableTarget(action, circle))).code).toBe('private_room');
    }
  });

  it('keep DMs to their participants', () => {
    const d = refusal(can(actor({ role: null }), 'read', { room: DM_ROOM_TARGET }));
    expect(d).toMatchObject({ code: 'private_room', reason: 'This conversation is private.' });
    expect(can(actor(), 'post_message', { room: DM_ROOM_TARGET }).allowed).toBe(true);
    expect(can(actor(), 'pin_message', { room: DM_ROOM_TARGET }).allowed).toBe(true);
  });

  it('have no threads and no moderators in DMs, whatever role a caller passes', () => {
    expect(refusal(can(actor(), 'create_thread', { room: DM_ROOM_TARGET })).code).toBe('dm_no_threads');
    for (const action of ['delete_any_message', 'hide_message', 'mute_member', 'ban_member', 'manage_room'] as const) {
      const d = refusal(can(actor({ role: 'owner' }), action, tableTarget(action, DM_ROOM_TARGET)));
      expect(d.code).toBe('dm_no_moderation');
      expectReadable(d.reason);
      expect(can(actor({ role: null, isGlobalAdmin: true }), action, tableTarget(action, DM_ROOM_TARGET)).allowed).toBe(
        true,
      );
    }
  });

  it('stop new members posting links in DMs too', () => {
    expect(refusal(can(actor({ trustLevel: 'new' }), 'post_link', { room: DM_ROOM_TARGET })).code).toBe(
      'new_user_restricted',
    );
  });
});

describe('locked threads', () => {
  const locked: ThreadTarget = { creatorId: ME, isLocked: true };

  it('refuse replies from members but not from moderators and above', () => {
    for (const role of ['member', 'trusted'] as const) {
      const d = refusal(can(actor({ role }), 'reply_in_thread', { room: PUBLIC_TEXT, thread: locked }));
      expect(d.code).toBe('thread_locked');
      expectReadable(d.reason);
    }
    for (const role of ['moderator', 'admin', 'owner'] as const) {
      expect(can(actor({ role }), 'reply_in_thread', { room: PUBLIC_TEXT, thread: locked }).allowed).toBe(true);
    }
    const globalAdmin = actor({ role: null, isGlobalAdmin: true });
    expect(can(globalAdmin, 'reply_in_thread', { room: PUBLIC_TEXT, thread: locked }).allowed).toBe(true);
  });

  it('refuse edits and links in the thread, keep reactions open', () => {
    const target = { room: PUBLIC_TEXT, thread: locked, message: { authorId: ME } };
    expect(refusal(can(actor(), 'edit_own_message', target)).code).toBe('thread_locked');
    expect(refusal(can(actor(), 'post_link', target)).code).toBe('thread_locked');
    expect(can(actor(), 'react', target).allowed).toBe(true);
    expect(can(actor(), 'delete_own_message', target).allowed).toBe(true);
  });

  it('can no longer be resolved by their creator, only by moderators', () => {
    expect(refusal(can(actor(), 'resolve_thread', { room: PUBLIC_TEXT, thread: locked })).code).toBe('thread_locked');
    expect(can(actor({ role: 'moderator' }), 'resolve_thread', { room: PUBLIC_TEXT, thread: locked }).allowed).toBe(
      true,
    );
  });

  it('lets the creator of an open thread resolve it, and nobody else below moderator', () => {
    const mine: ThreadTarget = { creatorId: ME, isLocked: false };
    expect(can(actor(), 'resolve_thread', { room: PUBLIC_TEXT, thread: mine }).allowed).toBe(true);
    expect(can(actor({ trustLevel: 'new' }), 'resolve_thread', { room: PUBLIC_TEXT, thread: mine }).allowed).toBe(true);
    const orphan: ThreadTarget = { creatorId: null, isLocked: false };
    expect(refusal(can(actor(), 'resolve_thread', { room: PUBLIC_TEXT, thread: orphan })).code).toBe(
      'not_thread_creator',
    );
  });
});

describe('archived rooms', () => {
  const room: RoomTarget = { ...PUBLIC_TEXT, archived: true };
  const contentChanges = [
    'post_message',
    'reply_in_thread',
    'create_thread',
    'react',
    'edit_own_message',
    'pin_message',
    'pin_thread',
    'lock_thread',
    'resolve_thread',
    'post_link',
    'post_attachment',
  ] as const;

  it('refuse every change to content, even from the owner and global admins', () => {
    for (const who of [actor(), actor({ role: 'owner' }), actor({ role: null, isGlobalAdmin: true })]) {
      for (const action of contentChanges) {
        const d = refusal(can(who, action, tableTarget(action, room)));
        expect(d.code).toBe('archived');
        expectReadable(d.reason);
      }
    }
  });

  it('stay readable, reportable and moderatable, and let authors delete their messages', () => {
    expect(can(actor(), 'read', { room }).allowed).toBe(true);
    expect(can(actor(), 'report_message', tableTarget('report_message', room)).allowed).toBe(true);
    expect(can(actor(), 'delete_own_message', tableTarget('delete_own_message', room)).allowed).toBe(true);
    for (const action of ['hide_message', 'delete_any_message', 'ban_member', 'view_review_queue'] as const) {
      expect(can(actor({ role: 'moderator' }), action, tableTarget(action, room)).allowed).toBe(true);
    }
    // Unarchiving is a settings change, so admins must still reach it.
    expect(can(actor({ role: 'admin' }), 'manage_room', { room }).allowed).toBe(true);
  });
});

describe('voice rooms', () => {
  const room: RoomTarget = { ...PUBLIC_TEXT, contextType: 'voice' };
  it('refuse text posts from everyone in v1', () => {
    for (const who of [actor(), actor({ role: 'owner' }), actor({ role: null, isGlobalAdmin: true })]) {
      for (const action of ['post_message', 'reply_in_thread', 'create_thread', 'post_link'] as const) {
        const d = refusal(can(who, action, tableTarget(action, room)));
        expect(d).toMatchObject({ code: 'voice_room', reason: "Voice rooms don't have text chat yet." });
      }
    }
    expect(can(actor(), 'read', { room }).allowed).toBe(true);
  });
});

describe('mutes', () => {
  it('state the time left and when the mute ends', () => {
    const until = minutes(12);
    const d = refusal(can(actor({ mutedUntil: until }), 'post_message', { room: PUBLIC_TEXT }));
    expect(d).toEqual({
      allowed: false,
      code: 'muted',
      reason: 'You are muted in this room for 12 more minutes.',
      until,
    });
  });

  it('round the time left up, never down to zero', () => {
    const almost = new Date(minutes(12).getTime() - 1000);
    expect(refusal(can(actor({ mutedUntil: almost }), 'react', { room: PUBLIC_TEXT })).reason).toBe(
      'You are muted in this room for 12 more minutes.',
    );
    const oneSecond = new Date(NOW.getTime() + 1000);
    expect(refusal(can(actor({ role: 'muted', mutedUntil: oneSecond }), 'react', { room: PUBLIC_TEXT })).reason).toBe(
      'You are muted in this room for 1 more minute.',
    );
  });

  it('are over at their end time, even if the stored role still says muted', () => {
    for (const mutedUntil of [NOW, new Date(NOW.getTime() - 1000)]) {
      for (const role of ['muted', 'member'] as const) {
        for (const action of ['post_message', 'react', 'create_thread'] as const) {
          expect(can(actor({ role, mutedUntil }), action, { room: PUBLIC_TEXT }).allowed).toBe(true);
        }
      }
    }
  });

  it('without an end time last until a moderator lifts them', () => {
    const d = refusal(can(actor({ role: 'muted', mutedUntil: null }), 'post_message', { room: PUBLIC_TEXT }));
    expect(d.code).toBe('muted');
    expect(d.until).toBeUndefined();
    expect(d.reason).toBe('You are muted in this room until a moderator unmutes you.');
  });

  it('leave reading, reporting and deleting own messages open', () => {
    const muted = actor({ role: 'muted', mutedUntil: minutes(5) });
    for (const action of ['read', 'report_message', 'delete_own_message'] as const) {
      expect(can(muted, action, tableTarget(action)).allowed).toBe(true);
    }
  });

  it('speak in hours and days for long mutes', () => {
    expect(refusal(can(actor({ mutedUntil: minutes(180) }), 'react', { room: PUBLIC_TEXT })).reason).toBe(
      'You are muted in this room for about 3 more hours.',
    );
    expect(refusal(can(actor({ mutedUntil: minutes(7 * 24 * 60) }), 'react', { room: PUBLIC_TEXT })).reason).toBe(
      'You are muted in this room for about 7 more days.',
    );
  });
});

describe('permission levels and minimum trust', () => {
  it('apply the write level, counting automatic trust as the trusted role', () => {
    const room: RoomTarget = { ...PUBLIC_TEXT, writePermissionLevel: 'trusted' };
    const d = refusal(can(actor(), 'post_message', { room }));
    expect(d).toMatchObject({ code: 'write_level', reason: 'Only trusted members can post in this room.' });
    expect(can(actor({ trustLevel: 'trusted' }), 'post_message', { room }).allowed).toBe(true);
    expect(can(actor({ role: 'trusted', trustLevel: 'new' }), 'post_message', { room }).allowed).toBe(true);
  });

  it('apply the read level, and ask non-members of member-only rooms to join', () => {
    const staffRoom: RoomTarget = { ...PUBLIC_TEXT, readPermissionLevel: 'moderator' };
    expect(refusal(can(actor({ role: 'trusted' }), 'read', { room: staffRoom }))).toMatchObject({
      code: 'read_level',
      reason: 'Only moderators can read this room.',
    });
    expect(can(actor({ role: 'moderator' }), 'read', { room: staffRoom }).allowed).toBe(true);
    const membersRoom: RoomTarget = { ...PUBLIC_TEXT, readPermissionLevel: 'member' };
    expect(refusal(can(actor({ role: null }), 'read', { room: membersRoom }))).toMatchObject({
      code: 'not_member',
      reason: 'Join this room to read it.',
    });
  });

  it('apply the minimum trust level, with the numbers that unlock it', () => {
    const room: RoomTarget = { ...PUBLIC_TEXT, minTrustLevel: 'member' };
    const d = refusal(can(actor({ trustLevel: 'new' }), 'post_message', { room }));
    expect(d.code).toBe('trust_level');
    expect(d.reason).toBe(
      'You can post in this room once you have sent 10 messages and been in the community for 3 days.',
    );
    expect(can(actor({ trustLevel: 'member' }), 'post_message', { room }).allowed).toBe(true);
    expect(can(actor({ role: 'trusted', trustLevel: 'new' }), 'post_message', { room }).allowed).toBe(true);
    expect(can(actor({ role: 'moderator', trustLevel: 'new' }), 'post_message', { room }).allowed).toBe(true);
    // Reacting is not posting: a newcomer can still show appreciation.
    expect(can(actor({ trustLevel: 'new' }), 'react', { room }).allowed).toBe(true);
  });

  it('let automatically trusted members pin', () => {
    expect(can(actor({ trustLevel: 'trusted' }), 'pin_message', { room: PUBLIC_TEXT }).allowed).toBe(true);
  });

  it('explain the link rule to new members', () => {
    expect(refusal(can(actor({ trustLevel: 'new' }), 'post_link', { room: PUBLIC_TEXT })).reason).toBe(
      'You can share links once you have sent 10 messages and been in the community for 3 days.',
    );
  });
});

describe('acting on members', () => {
  const target = (role: Actor['role'], extra: Partial<{ userId: string; isGlobalAdmin: boolean }> = {}): Target => ({
    room: PUBLIC_TEXT,
    subject: { userId: OTHER, role, isGlobalAdmin: false, ...extra },
  });

  it('needs a strictly higher role than the subject', () => {
    expect(can(actor({ role: 'moderator' }), 'mute_member', target('trusted')).allowed).toBe(true);
    expect(can(actor({ role: 'moderator' }), 'ban_member', target('muted')).allowed).toBe(true);
    expect(can(actor({ role: 'moderator' }), 'warn_member', target(null)).allowed).toBe(true);
    expect(refusal(can(actor({ role: 'moderator' }), 'mute_member', target('moderator'))).code).toBe('outranked');
    expect(refusal(can(actor({ role: 'moderator' }), 'ban_member', target('admin'))).code).toBe('outranked');
    expect(can(actor({ role: 'admin' }), 'mute_member', target('moderator')).allowed).toBe(true);
    expect(refusal(can(actor({ role: 'admin' }), 'ban_member', target('owner'))).code).toBe('outranked');
    expect(can(actor({ role: 'owner' }), 'ban_member', target('admin')).allowed).toBe(true);
    expectReadable(refusal(can(actor({ role: 'admin' }), 'ban_member', target('admin'))).reason);
  });

  it('shields global admins from room staff, not from each other', () => {
    const d = refusal(can(actor({ role: 'owner' }), 'ban_member', target(null, { isGlobalAdmin: true })));
    expect(d.code).toBe('outranked');
    const globalAdmin = actor({ role: null, isGlobalAdmin: true });
    expect(can(globalAdmin, 'ban_member', target('owner', { isGlobalAdmin: true })).allowed).toBe(true);
  });

  it('never targets oneself', () => {
    for (const who of [actor({ role: 'owner' }), actor({ role: null, isGlobalAdmin: true })]) {
      const d = refusal(can(who, 'ban_member', target('member', { userId: ME })));
      expect(d).toMatchObject({ code: 'self_target', reason: "You can't ban yourself." });
    }
  });
});

describe('own messages', () => {
  it('are editable only by their author, global admins included', () => {
    const globalAdmin = actor({ role: null, isGlobalAdmin: true });
    const others = { room: PUBLIC_TEXT, message: { authorId: OTHER } };
    expect(refusal(can(globalAdmin, 'edit_own_message', others)).code).toBe('not_author');
    expect(refusal(can(actor(), 'delete_own_message', others)).code).toBe('not_author');
    const system = { room: PUBLIC_TEXT, message: { authorId: null } };
    expect(refusal(can(actor(), 'edit_own_message', system)).code).toBe('not_author');
  });

  it('cannot be reported by their author', () => {
    const d = refusal(can(actor(), 'report_message', { room: PUBLIC_TEXT, message: { authorId: ME } }));
    expect(d).toMatchObject({ code: 'own_message', reason: "You can't report your own message." });
  });
});

describe('global admins', () => {
  it('are not limited by their own membership row, even a ban', () => {
    const bannedAdmin = actor({ role: 'banned', isGlobalAdmin: true, mutedUntil: minutes(10) });
    for (const action of ACTIONS) {
      expect(can(bannedAdmin, action, tableTarget(action)).allowed).toBe(true);
    }
  });
});

describe('creating Lounge rooms', () => {
  it('is for global admins only, whatever their room roles', () => {
    expect(canCreateLoungeRoom(actor({ isGlobalAdmin: true })).allowed).toBe(true);
    expect(canCreateLoungeRoom(actor({ role: 'owner' }))).toEqual({
      allowed: false,
      code: 'not_global_admin',
      reason: 'Only platform admins can create rooms in The Lounge.',
    });
  });
});

describe('missing targets', () => {
  it('are compile errors for typed callers', () => {
    // @ts-expect-error a reply needs the thread it goes into
    expect(can(actor(), 'reply_in_thread', { room: PUBLIC_TEXT }).allowed).toBe(false);
    // @ts-expect-error an own-message action needs the message
    expect(can(actor(), 'edit_own_message', { room: PUBLIC_TEXT }).allowed).toBe(false);
  });

  it('are refused in words for untyped callers', () => {
    const loose: Target = { room: PUBLIC_TEXT };
    for (const action of ['reply_in_thread', 'lock_thread', 'pin_thread', 'resolve_thread'] as const) {
      const d = refusal(can(actor({ role: 'owner' }), action as Action, loose));
      expect(d.code).toBe('invalid_target');
      expectReadable(d.reason);
    }
    for (const action of ['edit_own_message', 'delete_own_message', 'report_message'] as const) {
      expect(refusal(can(actor(), action as Action, loose)).code).toBe('invalid_target');
    }
  });
});
