import type { Room } from '../api/types.ts';
import { CONTEXT_TYPES, type ContextType } from '../../../shared/rules/permissions.ts';
import { PERMISSION_LEVELS, type PermissionLevel } from '../../../shared/rules/roles.ts';
import { TRUST_LEVELS, type TrustLevel } from '../../../shared/rules/trust.ts';

type LiveSettings = Partial<
  Pick<
    Room,
    | 'name'
    | 'description'
    | 'emoji'
    | 'contextType'
    | 'slowModeSeconds'
    | 'archived'
    | 'autoThread'
    | 'readPermissionLevel'
    | 'writePermissionLevel'
    | 'minTrustLevel'
  >
>;

const isLevel = (v: unknown): v is PermissionLevel => (PERMISSION_LEVELS as readonly unknown[]).includes(v);
const isContextType = (v: unknown): v is ContextType => (CONTEXT_TYPES as readonly unknown[]).includes(v);
const isTrust = (v: unknown): v is TrustLevel => (TRUST_LEVELS as readonly unknown[]).includes(v);

/**
 * The settings an open room's meta doc carries (its admins' changes reach every member live), as a `Room`
 * patch: only keys of the right type are taken, so a doc written by an older server cannot break the view.
 */
export function liveRoomSettings(fields: Record<string, unknown>): LiveSettings {
  const out: LiveSettings = {};
  if (typeof fields.name === 'string' && fields.name !== '') out.name = fields.name;
  if (typeof fields.description === 'string') out.description = fields.description;
  if (typeof fields.emoji === 'string') out.emoji = fields.emoji;
  // A room made an announcement room takes the composer from members at once, as `can()` says.
  if (isContextType(fields.contextType)) out.contextType = fields.contextType;
  if (typeof fields.slowModeSeconds === 'number' && fields.slowModeSeconds >= 0)
    out.slowModeSeconds = fields.slowModeSeconds;
  if (typeof fields.archived === 'boolean') out.archived = fields.archived;
  if (typeof fields.autoThread === 'boolean') out.autoThread = fields.autoThread;
  if (isLevel(fields.readPermissionLevel)) out.readPermissionLevel = fields.readPermissionLevel;
  if (isLevel(fields.writePermissionLevel)) out.writePermissionLevel = fields.writePermissionLevel;
  if (isTrust(fields.minTrustLevel)) out.minTrustLevel = fields.minTrustLevel;
  return out;
}
