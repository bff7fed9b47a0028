/**
 * The app's page addresses (they match the host platform's COMMUNITY menu: /lounge, /messages, ...).
 * The client routes by them; the server links to them from emails and push notifications.
 */
export const paths = {
  lounge: '/lounge',
  room: (slug: string) => `/lounge/${encodeURIComponent(slug)}`,
  thread: (slug: string, threadId: string) => `/lounge/${encodeURIComponent(slug)}/thread/${threadId}`,
  thriveCircle: '/thrive-circle',
  circle: (slug: string) => `/thrive-circle/${encodeURIComponent(slug)}`,
  circleThread: (slug: string, threadId: string) => `/thrive-circle/${encodeURIComponent(slug)}/thread/${threadId}`,
  messages: '/messages',
  conversation: (channelId: string) => `/messages/${channelId}`,
  moderation: '/moderation',
  search: '/search',
  notifications: '/notifications',
  settings: '/settings',
  /** A host page's chat widget opened on its own (a project's discussion, a battle's thread, ...). */
  embed: (contextType: 'project' | 'learning_path' | 'battle' | 'ask_me', contextId: string) =>
    `/embed/${contextType}/${encodeURIComponent(contextId)}`,
} as const;
