import { z } from 'zod';

/** What every member may know about another: enough to show an author or a member list entry. */
export const publicUserSchema = z.object({
  id: z.uuid(),
  /** null for a deleted (anonymized) account. */
  handle: z.string().nullable(),
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
  /** The account was deleted (GDPR): its messages keep their place, its name does not survive. */
  deleted: z.boolean(),
});
export type PublicUser = z.infer<typeof publicUserSchema>;

export const DELETED_USER_NAME = 'Deleted user';

/** Columns for `toPublicUser`, read from a `users` row aliased `alias`, prefixed `user_`. */
export function publicUserColumns(alias: string): string {
  return `${alias}.id AS user_id, ${alias}.handle AS user_handle, ${alias}.display_name AS user_display_name,
          ${alias}.avatar_url AS user_avatar_url, ${alias}.anonymized_at AS user_anonymized_at`;
}

export interface PublicUserRow {
  user_id: string;
  user_handle: string;
  user_display_name: string;
  user_avatar_url: string | null;
  user_anonymized_at: Date | null;
}

export function toPublicUser(row: PublicUserRow): PublicUser {
  if (row.user_anonymized_at !== null) {
    return { id: row.user_id, handle: null, displayName: DELETED_USER_NAME, avatarUrl: null, deleted: true };
  }
  return {
    id: row.user_id,
    handle: row.user_handle,
    displayName: row.user_display_name,
    avatarUrl: row.user_avatar_url,
    deleted: false,
  };
}
