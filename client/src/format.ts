/** Wording of counts, shared so the sidebar, headers and screen-reader labels say the same thing. */

export const onlineLabel = (count: number): string => `${count} online`;

export const unreadLabel = (count: number): string => `${count} unread`;

/** Badges stay narrow: exact numbers go to the accessible label, the badge caps at 99+. */
export const unreadBadgeText = (count: number): string => (count > 99 ? '99+' : String(count));

export const messageCountLabel = (count: number): string =>
  `${count.toLocaleString()} ${count === 1 ? 'message' : 'messages'}`;
