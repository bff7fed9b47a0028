/** The name moderators read for a deleted (anonymized) account, as chat and threads say it. */
export const DELETED_USER = 'Deleted user';

/**
 * How a moderator view names a person: "Deleted user" for a deleted account (its stored handle is a
 * placeholder nobody should read), "@handle" otherwise, and `fallback` when there is nobody to name.
 */
export function memberLabel(handle: string | null | undefined, deleted: boolean | undefined, fallback: string): string {
  if (deleted) return DELETED_USER;
  return handle ? `@${handle}` : fallback;
}
