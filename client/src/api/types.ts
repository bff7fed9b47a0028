import type { PermissionLevel } from '../../../shared/rules/roles.ts';
import type { TrustLevel } from '../../../shared/rules/trust.ts';

/** Shapes of the sync server's REST answers, as its API contract defines them. */

export interface User {
  id: string;
  handle: string;
  displayName: string;
  avatarUrl: string | null;
  isGlobalAdmin: boolean;
}

export type RoomContextType = 'text' | 'announcement' | 'help' | 'showcase' | 'voice';

export interface Room {
  id: string;
  /** Set on Thrive Circles (private cohort rooms); Lounge rooms leave it out. */
  roomType?: 'lounge' | 'circle';
  slug: string;
  name: string;
  description: string;
  emoji: string;
  contextType: RoomContextType;
  autoThread: boolean;
  position: number;
  slowModeSeconds: number;
  archived: boolean;
  /**
   * Who reads and who posts, as the room's admins set it (absent from a room list cached before the server
   * sent them: the client then assumes the open defaults, and the server still decides).
   */
  readPermissionLevel?: PermissionLevel;
  writePermissionLevel?: PermissionLevel;
  minTrustLevel?: TrustLevel;
  onlineCount: number;
  unreadCount: number;
  /** The room's newest seq (absent from an older server's answers). */
  lastSeq?: number;
  messageCount: number;
  lastMessageAt: string | null;
}

export interface Lounge {
  id: string;
  slug: string;
  name: string;
  description: string;
}

export interface AuthConfig {
  mode: 'embedded' | 'production';
  demoSignIn: boolean;
  links: { events: string; perks: string };
}

export interface SignInResponse {
  token: string;
  user: User;
}

export interface MeResponse {
  user: User;
}

export interface LoungeResponse {
  lounge: Lounge;
  rooms: Room[];
}

/** A weekly cohort's private room (GET /api/circles). */
export interface Circle extends Room {
  roomType: 'circle';
  /** Members of the circle, banned ones not counted. */
  memberCount: number;
  /** When the platform made the circle: the cohort's start. */
  createdAt: string;
}

export interface CirclesResponse {
  /** Active circles first, then archived ones; newest cohort first within each. */
  circles: Circle[];
}

/** The body of every non-2xx answer. */
export interface ErrorBody {
  error: { code: string; message: string };
}
