/**
 * The host contexts a widget can show, as the server's embed routes name them
 * (sync-server/features/integration/embed-view.ts): a project room, a learning path's help room, a
 * battle's discussion thread, a member's "Ask me" thread.
 */
export const EMBED_CONTEXT_TYPES = ['project', 'learning_path', 'battle', 'ask_me'] as const;
export type EmbedContextType = (typeof EMBED_CONTEXT_TYPES)[number];

export interface EmbedAddress {
  contextType: EmbedContextType;
  contextId: string;
}

// Same rule as the server's host ids, so a typo in an embed code is explained before any request.
const HOST_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@|-]{0,127}$/;

const isContextType = (value: string): value is EmbedContextType =>
  (EMBED_CONTEXT_TYPES as readonly string[]).includes(value);

/** Reads `/embed/<contextType>/<contextId>` (the iframe's address); null when it is not one. */
export function parseEmbedAddress(pathname: string): EmbedAddress | null {
  const match = /^\/embed\/([^/]+)\/([^/]+)\/?$/.exec(pathname);
  if (!match) return null;
  let contextId: string;
  try {
    contextId = decodeURIComponent(match[2]!);
  } catch {
    return null;
  }
  const contextType = match[1]!;
  if (!isContextType(contextType) || !HOST_ID.test(contextId)) return null;
  return { contextType, contextId };
}

export const embedApiPath = (address: EmbedAddress): string =>
  `/api/embed/${address.contextType}/${encodeURIComponent(address.contextId)}`;

/** What the widget calls the place it sits in, under its title. */
export const CONTEXT_LABEL: Record<EmbedContextType, string> = {
  project: 'Project discussion',
  learning_path: 'Learning path help',
  battle: 'Battle discussion',
  ask_me: 'Ask me',
};
