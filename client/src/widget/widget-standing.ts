import { can, type Actor, type RoomTarget } from '../../../shared/rules/permissions.ts';
import type { Room } from '../api/types.ts';
import type { Standing } from '../replica/standing.ts';
import type { EmbedView } from './embed-api.ts';

/** The room's permission settings as the server sent them, in the shape `can()` takes. */
export function roomTargetOf(view: EmbedView): RoomTarget {
  const { roomType, contextType, isPrivate, archived, readPermissionLevel, writePermissionLevel, minTrustLevel } =
    view.room;
  return { roomType, contextType, isPrivate, archived, readPermissionLevel, writePermissionLevel, minTrustLevel };
}

export function actorOf(view: EmbedView, now: Date): Actor {
  return {
    userId: view.viewer.userId,
    isGlobalAdmin: view.viewer.isGlobalAdmin,
    role: view.viewer.role,
    trustLevel: view.viewer.trustLevel,
    mutedUntil: view.viewer.mutedUntil ? new Date(view.viewer.mutedUntil) : null,
    now,
  };
}

/**
 * The viewer's standing for the chat components' menus, from the server's own account of it (role, trust,
 * mute and room settings in the embed answer) rather than the app's guess from a member list: the buttons
 * shown are the ones the server will accept. The server still decides every intent again.
 */
export function widgetStanding(view: () => EmbedView): Standing {
  return {
    decide: (action, rest) =>
      can(actorOf(view(), new Date()), action, { ...rest, room: roomTargetOf(view()) } as never),
    staff: () => can(actorOf(view(), new Date()), 'hide_message', { room: roomTargetOf(view()) }).allowed,
    postRefusal: () => {
      const decision = can(actorOf(view(), new Date()), 'post_message', { room: roomTargetOf(view()) });
      return decision.allowed ? null : decision.reason;
    },
  };
}

/** The room as the chat components take it; counts the widget does not show are left at zero. */
export function roomOf(view: EmbedView): Room {
  const r = view.room;
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    description: r.description,
    emoji: r.emoji,
    contextType: r.contextType,
    autoThread: r.autoThread,
    position: 0,
    slowModeSeconds: r.slowModeSeconds,
    archived: r.archived,
    onlineCount: 0,
    unreadCount: 0,
    messageCount: r.messageCount,
    lastMessageAt: r.lastMessageAt,
  };
}
