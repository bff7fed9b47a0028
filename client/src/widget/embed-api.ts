import type { ContextType, RoomType } from '../../../shared/rules/permissions.ts';
import type { PermissionLevel, Role } from '../../../shared/rules/roles.ts';
import type { TrustLevel } from '../../../shared/rules/trust.ts';
import { apiRequest } from '../api/http.ts';
import { embedApiPath, type EmbedAddress, type EmbedContextType } from './embed-address.ts';

/** The server's answer to `GET /api/embed/:contextType/:contextId` (its schema is in embed-view.ts). */
export interface EmbedView {
  contextType: EmbedContextType;
  contextId: string;
  channelId: string;
  kind: 'room' | 'thread';
  roomId: string;
  title: string;
  archived: boolean;
  canPost: boolean;
  postRefusal: string | null;
  canJoin: boolean;
  room: {
    id: string;
    slug: string;
    name: string;
    description: string;
    emoji: string;
    roomType: RoomType;
    contextType: ContextType;
    isPrivate: boolean;
    archived: boolean;
    readPermissionLevel: PermissionLevel;
    writePermissionLevel: PermissionLevel;
    minTrustLevel: TrustLevel;
    autoThread: boolean;
    slowModeSeconds: number;
    messageCount: number;
    lastMessageAt: string | null;
  };
  thread: { creatorId: string | null; isLocked: boolean; archived: boolean } | null;
  viewer: {
    userId: string;
    role: Role | null;
    trustLevel: TrustLevel;
    mutedUntil: string | null;
    isGlobalAdmin: boolean;
  };
}

export const fetchEmbedView = (token: string, address: EmbedAddress): Promise<EmbedView> =>
  apiRequest<EmbedView>(embedApiPath(address), { token });

export const joinEmbedRoom = (token: string, address: EmbedAddress): Promise<EmbedView> =>
  apiRequest<EmbedView>(`${embedApiPath(address)}/join`, { method: 'POST', token, body: {} });

// The last answer per member and context, so a widget opened offline shows the replica it synced before.
const cacheKey = (userId: string, address: EmbedAddress) =>
  `lounge.embed.v1.${userId}.${address.contextType}.${address.contextId}`;

export function rememberEmbedView(userId: string, address: EmbedAddress, view: EmbedView): void {
  try {
    localStorage.setItem(cacheKey(userId, address), JSON.stringify(view));
  } catch {
    // Storage disabled or full: the widget then needs the network to open, nothing worse.
  }
}

export function cachedEmbedView(userId: string, address: EmbedAddress): EmbedView | null {
  try {
    const raw = localStorage.getItem(cacheKey(userId, address));
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<EmbedView> | null;
    // Written by this code from a server answer; a shape from an older version is simply not used.
    return parsed && typeof parsed.channelId === 'string' && parsed.viewer?.userId === userId
      ? (parsed as EmbedView)
      : null;
  } catch {
    return null;
  }
}

export function forgetEmbedView(userId: string, address: EmbedAddress): void {
  try {
    localStorage.removeItem(cacheKey(userId, address));
  } catch {
    // Nothing was kept.
  }
}
