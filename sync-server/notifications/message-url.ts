import { paths } from '../../shared/app/paths.ts';

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
  const slug = row.room_slug;
  if (!slug || (row.room_type !== 'lounge' && row.room_type !== 'circle')) return `${appUrl}${paths.notifications}`;
  const page =
    row.room_type === 'lounge'
      ? row.thread_id
        ? paths.thread(slug, row.thread_id)
        : paths.room(slug)
      : row.thread_id
        ? paths.circleThread(slug, row.thread_id)
        : paths.circle(slug);
  return `${appUrl}${page}${at}`;
}
