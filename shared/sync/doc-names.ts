/**
 * Names of every synced doc. One module parses and formats them so the server's authorization, the
 * client's subscriptions and the workers' snapshots can never disagree about what a name means.
 */
export type DocName =
  | { kind: 'channel-meta'; channelId: string }
  | { kind: 'channel-segment'; channelId: string; segment: number }
  | { kind: 'inbox'; userId: string }
  | { kind: 'private'; userId: string };

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const META = new RegExp(`^ch\\.(${UUID})\\.meta$`);
const SEGMENT = new RegExp(`^ch\\.(${UUID})\\.seg\\.(0|[1-9][0-9]{0,8})$`);
const INBOX = new RegExp(`^inbox\\.(${UUID})$`);
const PRIVATE = new RegExp(`^private\\.(${UUID})$`);

export const MAX_DOC_NAME_LENGTH = 64;

export function parseDocName(name: string): DocName | undefined {
  if (name.length > MAX_DOC_NAME_LENGTH) return undefined;
  let m = META.exec(name);
  if (m) return { kind: 'channel-meta', channelId: m[1]! };
  m = SEGMENT.exec(name);
  if (m) return { kind: 'channel-segment', channelId: m[1]!, segment: Number(m[2]) };
  m = INBOX.exec(name);
  if (m) return { kind: 'inbox', userId: m[1]! };
  m = PRIVATE.exec(name);
  if (m) return { kind: 'private', userId: m[1]! };
  return undefined;
}

export function formatDocName(doc: DocName): string {
  switch (doc.kind) {
    case 'channel-meta':
      return `ch.${doc.channelId}.meta`;
    case 'channel-segment':
      return `ch.${doc.channelId}.seg.${doc.segment}`;
    case 'inbox':
      return `inbox.${doc.userId}`;
    case 'private':
      return `private.${doc.userId}`;
  }
}

export const metaDocName = (channelId: string) => `ch.${channelId}.meta`;
export const segmentDocName = (channelId: string, segment: number) => `ch.${channelId}.seg.${segment}`;
export const inboxDocName = (userId: string) => `inbox.${userId}`;
export const privateDocName = (userId: string) => `private.${userId}`;

/** Server-owned docs drop every update a client sends; only private docs accept client writes. */
export function isServerOwned(doc: DocName): boolean {
  return doc.kind !== 'private';
}
