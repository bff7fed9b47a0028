/** Where a notified message is, as emails and pushes link it. */
export interface MessagePlaceRow {
  message_id: string | null;
  thread_id: string | null;
  room_slug: string | null;
  room_type: string | null;
}

/**
 * The app's address of a message (what the Notifications page opens): its room or circle, its thread,
 * `#message-<id>`; the Notifications page when it has no such place (a project room's widget, a DM).
 */
export function messageUrl(appUrl: string, row: MessagePlaceRow): string {
  const at = row.message_id ? `#message-${row.message_id}` : '';
  const slug = row.room_slug ? encodeURIComponent(row.room_slug) : null;
  const base = row.room_type === 'lounge' ? '/lounge' : row.room_type === 'circle' ? '/thrive-circle' : null;
  if (!slug || !base) return `${appUrl}/notifications`;
  return row.thread_id ? `${appUrl}${base}/${slug}/thread/${row.thread_id}${at}` : `${appUrl}${base}/${slug}${at}`;
}
