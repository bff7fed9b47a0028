/** Wording of counts, shared so the sidebar, headers and screen-reader labels say the same thing. */

export const onlineLabel = (count: number): string => `${count} online`;

export const unreadLabel = (count: number): string => `${count} unread`;

/** Badges stay narrow: exact numbers go to the accessible label, the badge caps at 99+. */
export const unreadBadgeText = (count: number): string => (count > 99 ? '99+' : String(count));

export const messageCountLabel = (count: number): string =>
  `${count.toLocaleString()} ${count === 1 ? 'message' : 'messages'}`;

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "5 minutes ago", "yesterday": how long ago an activity was. */
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return 'just now';
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86_400), 'day');
}
